"""Zalo Bot Platform (the Telegram-like Bot API of bot.zaloplatforms.com).

`ZaloBotClient` speaks the HTTP API with the method names and arguments of the python-zalo-bot SDK
(get_me, get_update, set_webhook, …) so code reads the same as the SDK's examples; it is a thin httpx
client because the SDK is a PTB fork we would otherwise have to install beside PTB itself.
`ZaloBotAdapter` is the channel: secret-token header, bare or {ok, result}-wrapped updates,
2000-character bubbles, buttons as numbered options (the platform has none).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import partial
from typing import Any, cast

import httpx

from channels.base import InboundMessage, OutboundMessage, SendResult
from channels.payloads import MalformedUpdateError, load_json_object, require_equal_secret
from channels.retry import DEFAULT_RETRY, RetriesExhaustedError, RetryableError, RetryPolicy, Sleep, call_with_retries
from channels.text import split_with_options

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://bot-api.zaloplatforms.com"
SECRET_HEADER = "X-Bot-Api-Secret-Token"   # noqa: S105 (a header name)
TEXT_LIMIT = 2000
DEFAULT_TIMEOUT = 10.0

_KINDS = {
    "message.text.received": "text",
    "message.image.received": "image",
    "message.sticker.received": "sticker",
    "message.unsupported.received": "unsupported",
}


class ZaloBotError(Exception):
    """Raised when the Bot API answers ok=false (or not JSON); carries its error_code and description."""

    def __init__(
        self, description: str, *, error_code: int | None = None, status_code: int | None = None,
        retry_after: float | None = None, network: bool = False,
    ) -> None:
        super().__init__(description)
        self.network = network
        self.description = description
        self.error_code = error_code
        self.status_code = status_code
        self.retry_after = retry_after

    @property
    def is_transient(self) -> bool:
        """Throttling or a server-side failure: the same call may succeed later."""
        codes = {self.error_code, self.status_code}
        return self.network or 429 in codes or any(code is not None and code >= 500 for code in codes)


class ZaloBotClient:
    """POST {api_base}/bot<TOKEN>/<method> with a JSON body; returns `result` or raises ZaloBotError."""

    def __init__(
        self, token: str, *, api_base: str = DEFAULT_API_BASE, client: httpx.AsyncClient | None = None
    ) -> None:
        self._url = f"{api_base.rstrip('/')}/bot{token}/"
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=DEFAULT_TIMEOUT)

    async def _call(self, method: str, params: Mapping[str, Any] | None = None) -> Any:
        try:
            response = await self._client.post(self._url + method, json=dict(params or {}))
        except httpx.TransportError as error:
            raise ZaloBotError(f"network: {error.__class__.__name__}", network=True) from error
        try:
            envelope = response.json()
        except ValueError:
            raise ZaloBotError(
                f"HTTP {response.status_code}, body is not JSON", status_code=response.status_code
            ) from None
        if response.is_success and isinstance(envelope, dict) and envelope.get("ok"):
            return envelope.get("result")
        envelope = envelope if isinstance(envelope, dict) else {}
        parameters = envelope.get("parameters") or {}
        retry_after = envelope.get("retry_after", parameters.get("retry_after"))
        raise ZaloBotError(
            str(envelope.get("description") or f"HTTP {response.status_code}"),
            error_code=envelope.get("error_code"),
            status_code=response.status_code,
            retry_after=float(retry_after) if isinstance(retry_after, (int, float)) else None,
        )

    async def get_me(self) -> dict[str, Any]:
        return cast(dict[str, Any], await self._call("getMe"))

    async def get_update(self, timeout: int = 30) -> dict[str, Any] | None:
        """One update per call (unlike Telegram); None when the long poll ends empty (error 408)."""
        try:
            return cast(dict[str, Any] | None, await self._call("getUpdates", {"timeout": str(timeout)}))
        except ZaloBotError as error:
            if error.error_code == 408:
                return None
            raise

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self._call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        return await self._call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        return cast(dict[str, Any], await self._call("getWebhookInfo"))

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        return cast(dict[str, Any], await self._call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(self, chat_id: str, photo: str, caption: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo}
        if caption is not None:
            params["caption"] = caption
        return cast(dict[str, Any], await self._call("sendPhoto", params))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self._call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()


class ZaloBotAdapter:
    name = "zalo"
    text_limit = TEXT_LIMIT
    supports_buttons = False   # numbered options instead; the gateway maps a typed digit

    def __init__(
        self,
        *,
        token: str,
        webhook_secret: str,
        api_base: str = DEFAULT_API_BASE,
        client: httpx.AsyncClient | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._secret = webhook_secret
        self.api = ZaloBotClient(token, api_base=api_base, client=client)
        self._retry = retry
        self._sleep = sleep

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        require_equal_secret(headers, SECRET_HEADER, self._secret)

    def parse(self, body: bytes) -> list[InboundMessage]:
        data = load_json_object(body)
        # The live webhook sends the update bare; the docs show it wrapped in {ok, result}.
        if "event_name" not in data and isinstance(data.get("result"), dict):
            data = data["result"]
        event = data.get("event_name")
        if not isinstance(event, str):
            raise MalformedUpdateError("update without event_name")
        if event not in _KINDS:
            return []
        message = data.get("message")
        if not isinstance(message, dict) or "message_id" not in message:
            raise MalformedUpdateError("message event without message.message_id")
        chat = message.get("chat") or {}
        sender = message.get("from") or {}
        if sender.get("is_bot"):
            return []
        user_id = chat.get("id") or sender.get("id")
        if not user_id:
            raise MalformedUpdateError("message without chat.id")
        kind = _KINDS[event]
        text = message.get("text") if kind == "text" else message.get("caption")
        metadata: dict[str, object] = {}
        if kind == "image" and message.get("photo_url"):
            metadata["photo_url"] = message["photo_url"]
        return [
            InboundMessage(
                channel=self.name,
                external_user_id=str(user_id),
                delivery_key=f"{event}:{message['message_id']}",
                text=text if isinstance(text, str) else None,
                kind=kind,
                display_name=sender.get("display_name"),
                platform_message_id=str(message["message_id"]),
                sent_at=_from_epoch_ms(message.get("date")),
                metadata=metadata,
            )
        ]

    async def send(self, external_user_id: str, message: OutboundMessage) -> SendResult:
        pieces = split_with_options(message.text, message.buttons, TEXT_LIMIT) or [""]
        sent: list[str] = []
        for piece in pieces:
            try:
                result = await call_with_retries(
                    partial(self._send_once, external_user_id, piece),
                    policy=self._retry,
                    sleep=self._sleep,
                )
            except RetriesExhaustedError as failure:
                return SendResult(ok=False, platform_message_ids=tuple(sent), error=failure.reason)
            except ZaloBotError as error:
                return SendResult(ok=False, platform_message_ids=tuple(sent), error=_describe(error))
            sent.append(str((result or {}).get("message_id", "")))
        return SendResult(ok=True, platform_message_ids=tuple(sent))

    async def _send_once(self, chat_id: str, text: str) -> dict[str, Any]:
        try:
            return await self.api.send_message(chat_id, text)
        except ZaloBotError as error:
            if error.is_transient:
                raise RetryableError(_describe(error), retry_after=error.retry_after) from error
            raise

    def reply_window_closes_at(self, last_inbound_at: datetime) -> datetime | None:
        return None   # no reply window is documented for the Bot Platform

    async def aclose(self) -> None:
        await self.api.aclose()


def _from_epoch_ms(value: object) -> datetime | None:
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    return None


def _describe(error: ZaloBotError) -> str:
    code = error.error_code if error.error_code is not None else error.status_code
    return f"zalo: {error.description} (code {code})"
