"""Which channels are on, from the environment, and the adapters built for them.

A channel is on when ALL its required variables are set, off when none is (its webhook answers 404, so
`make run` works without any token), and a partial set stops the gateway at start naming what is missing.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.base import ChannelAdapter
from channels.messenger import MessengerAdapter
from channels.telegram import TelegramAdapter
from channels.zalo_bot import ZaloBotAdapter
from channels.zalo_oa import ZaloOAAdapter
from channels.zalo_oa_tokens import TokenStore

# channel name → (required variables, optional variables)
CHANNEL_SETTINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "telegram": (("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"), ("TELEGRAM_API_BASE",)),
    "zalo": (("ZALO_BOT_TOKEN", "ZALO_BOT_WEBHOOK_SECRET"), ("ZALO_BOT_API_BASE",)),
    "zalo_oa": (
        ("ZALO_OA_APP_ID", "ZALO_OA_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_OA_REFRESH_TOKEN"),
        ("ZALO_OA_ACCESS_TOKEN", "ZALO_OA_API_BASE", "ZALO_OA_OAUTH_BASE"),
    ),
    "messenger": (
        ("MESSENGER_PAGE_ACCESS_TOKEN", "MESSENGER_APP_SECRET", "MESSENGER_VERIFY_TOKEN"),
        ("MESSENGER_API_BASE", "MESSENGER_HUMAN_AGENT"),
    ),
}
# The URL path of each channel's webhook (/webhooks/<slug>).
WEBHOOK_SLUGS: dict[str, str] = {"telegram": "telegram", "zalo": "zalo", "zalo_oa": "zalo-oa",
                                 "messenger": "messenger"}
_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_PLACEHOLDERS = frozenset({"changeme", "change-me", "secret", "xxx", "todo", "placeholder", "example"})


class ChannelSettingsError(RuntimeError):
    """Raised at start when a channel is partly configured or a value is unusable; names the variable."""


def configured_channels(env: Mapping[str, str], *, development: bool = True) -> dict[str, dict[str, str]]:
    """The settings of every enabled channel; raises ChannelSettingsError for a partial one."""
    enabled: dict[str, dict[str, str]] = {}
    for channel, (required, optional) in CHANNEL_SETTINGS.items():
        present = [name for name in required if (env.get(name) or "").strip()]
        if not present:
            continue
        missing = [name for name in required if name not in present]
        if missing:
            raise ChannelSettingsError(
                f"channel {channel} is partly configured: set {', '.join(missing)} "
                f"(or unset {', '.join(present)} to turn it off)"
            )
        values = {name: env[name].strip() for name in required}
        values.update({name: env[name].strip() for name in optional if (env.get(name) or "").strip()})
        if not development:
            for name in required:
                if values[name].lower() in _PLACEHOLDERS:
                    raise ChannelSettingsError(f"{name} holds a placeholder value; set a real secret")
        _check_values(channel, values)
        enabled[channel] = values
    return enabled


def _flag(values: Mapping[str, str], name: str) -> bool:
    value = values.get(name, "0").lower()
    if value not in {"0", "1", "true", "false", "yes", "no"}:
        raise ChannelSettingsError(f"{name} must be 1 or 0 (got {value!r})")
    return value in {"1", "true", "yes"}


def _check_values(channel: str, values: Mapping[str, str]) -> None:
    if channel == "telegram" and not _TELEGRAM_SECRET.match(values["TELEGRAM_WEBHOOK_SECRET"]):
        raise ChannelSettingsError("TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -")
    if channel == "zalo" and not 8 <= len(values["ZALO_BOT_WEBHOOK_SECRET"]) <= 256:
        raise ChannelSettingsError("ZALO_BOT_WEBHOOK_SECRET must be 8-256 characters")
    if channel == "messenger":
        _flag(values, "MESSENGER_HUMAN_AGENT")


@dataclass
class Channels:
    """The adapters of the enabled channels, by name; closed with the app."""

    adapters: dict[str, ChannelAdapter] = field(default_factory=dict)

    def by_slug(self, slug: str) -> ChannelAdapter | None:
        for name, adapter in self.adapters.items():
            if WEBHOOK_SLUGS.get(name) == slug:
                return adapter
        return None

    async def aclose(self) -> None:
        for adapter in self.adapters.values():
            close = getattr(adapter, "aclose", None)
            if close is not None:
                await close()


def build_adapter(
    channel: str, values: Mapping[str, str], *, engine: AsyncEngine | None = None,
    client: httpx.AsyncClient | None = None,
) -> ChannelAdapter:
    if channel == "telegram":
        return TelegramAdapter(
            token=values["TELEGRAM_BOT_TOKEN"], webhook_secret=values["TELEGRAM_WEBHOOK_SECRET"],
            api_base=values.get("TELEGRAM_API_BASE", "https://api.telegram.org/bot"), client=client,
        )
    if channel == "zalo":
        return ZaloBotAdapter(
            token=values["ZALO_BOT_TOKEN"], webhook_secret=values["ZALO_BOT_WEBHOOK_SECRET"],
            api_base=values.get("ZALO_BOT_API_BASE", "https://bot-api.zaloplatforms.com"), client=client,
        )
    if channel == "zalo_oa":
        if engine is None:
            raise ChannelSettingsError("channel zalo_oa needs the database (its tokens are stored there)")
        return ZaloOAAdapter(
            app_id=values["ZALO_OA_APP_ID"], app_secret=values["ZALO_OA_APP_SECRET"],
            oa_secret_key=values["ZALO_OA_SECRET_KEY"], tokens=TokenStore(engine),
            api_base=values.get("ZALO_OA_API_BASE", "https://openapi.zalo.me"),
            oauth_base=values.get("ZALO_OA_OAUTH_BASE", "https://oauth.zaloapp.com"), client=client,
        )
    if channel == "messenger":
        return MessengerAdapter(
            page_access_token=values["MESSENGER_PAGE_ACCESS_TOKEN"], app_secret=values["MESSENGER_APP_SECRET"],
            verify_token=values["MESSENGER_VERIFY_TOKEN"],
            api_base=values.get("MESSENGER_API_BASE", "https://graph.facebook.com/v25.0"), client=client,
            human_agent=_flag(values, "MESSENGER_HUMAN_AGENT"),
        )
    raise ValueError(f"unknown channel {channel}")


async def open_channels(
    env: Mapping[str, str], *, engine: AsyncEngine | None, development: bool = True,
    client: httpx.AsyncClient | None = None,
) -> Channels:
    """Build the enabled channels' adapters. Call after the database is migrated (Zalo OA seeds tokens)."""
    channels = Channels()
    for channel, values in configured_channels(env, development=development).items():
        adapter = build_adapter(channel, values, engine=engine, client=client)
        if isinstance(adapter, ZaloOAAdapter):
            await adapter.tokens.seed(values["ZALO_OA_REFRESH_TOKEN"], values.get("ZALO_OA_ACCESS_TOKEN"))
        channels.adapters[channel] = adapter
    return channels
