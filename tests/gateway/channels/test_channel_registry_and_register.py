"""Which channels are on, how the gateway starts with none / some / partial settings, and the register command."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from channels.register import main as register_main
from channels.registry import CHANNEL_SETTINGS, ChannelSettingsError, build_adapter, configured_channels
from gateway.app import create_app
from gateway.settings import load_settings
from tests.gateway.fakes.telegram_server import TOKEN as TELEGRAM_TOKEN
from tests.gateway.fakes.telegram_server import FakeTelegram
from tests.gateway.fakes.zalo_bot_server import TOKEN as ZALO_TOKEN
from tests.gateway.fakes.zalo_bot_server import FakeZaloBot


def test_no_channel_settings_means_no_channel() -> None:
    assert configured_channels({"PATH": "/bin"}) == {}


def test_a_fully_configured_channel_is_on_with_its_optional_settings() -> None:
    enabled = configured_channels({"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_WEBHOOK_SECRET": "s_1",
                                   "TELEGRAM_API_BASE": "http://127.0.0.1:1/bot"})
    assert enabled == {"telegram": {"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_WEBHOOK_SECRET": "s_1",
                                    "TELEGRAM_API_BASE": "http://127.0.0.1:1/bot"}}


@pytest.mark.parametrize(("env", "missing"), [
    ({"TELEGRAM_BOT_TOKEN": "1:a"}, "TELEGRAM_WEBHOOK_SECRET"),
    ({"ZALO_OA_APP_ID": "1", "ZALO_OA_APP_SECRET": "s", "ZALO_OA_SECRET_KEY": "k"}, "ZALO_OA_REFRESH_TOKEN"),
    ({"MESSENGER_APP_SECRET": "s", "MESSENGER_VERIFY_TOKEN": "v"}, "MESSENGER_PAGE_ACCESS_TOKEN"),
    ({"ZALO_BOT_WEBHOOK_SECRET": "12345678"}, "ZALO_BOT_TOKEN"),
])
def test_a_partly_configured_channel_names_what_is_missing(env: dict[str, str], missing: str) -> None:
    with pytest.raises(ChannelSettingsError, match=missing):
        configured_channels(env)


async def test_messenger_human_agent_is_off_unless_set() -> None:
    messenger = {"MESSENGER_PAGE_ACCESS_TOKEN": "t", "MESSENGER_APP_SECRET": "s", "MESSENGER_VERIFY_TOKEN": "v"}
    last = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)
    for extra, window in (({}, timedelta(hours=24)), ({"MESSENGER_HUMAN_AGENT": "1"}, timedelta(days=7))):
        values = configured_channels({**messenger, **extra})["messenger"]
        adapter = build_adapter("messenger", values, engine=None)
        assert adapter.reply_window_closes_at(last) == last + window
        await adapter.aclose()


def test_unusable_secrets_are_refused() -> None:
    with pytest.raises(ChannelSettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        configured_channels({"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_WEBHOOK_SECRET": "has spaces!"})
    with pytest.raises(ChannelSettingsError, match="ZALO_BOT_WEBHOOK_SECRET"):
        configured_channels({"ZALO_BOT_TOKEN": "1:a", "ZALO_BOT_WEBHOOK_SECRET": "short"})
    messenger = {"MESSENGER_PAGE_ACCESS_TOKEN": "t", "MESSENGER_APP_SECRET": "s", "MESSENGER_VERIFY_TOKEN": "v"}
    with pytest.raises(ChannelSettingsError, match="MESSENGER_HUMAN_AGENT"):
        configured_channels({**messenger, "MESSENGER_HUMAN_AGENT": "maybe"})
    with pytest.raises(ChannelSettingsError, match="placeholder"):
        configured_channels({"TELEGRAM_BOT_TOKEN": "changeme", "TELEGRAM_WEBHOOK_SECRET": "abc"}, development=False)


async def test_gateway_without_channel_settings_answers_404_on_webhooks(client: httpx.AsyncClient) -> None:
    for slug in ("telegram", "zalo", "zalo-oa", "messenger"):
        response = await client.post(f"/webhooks/{slug}", content=b"{}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert (await client.get("/webhooks/messenger", params={"hub.mode": "subscribe"})).status_code == 404


async def test_gateway_with_a_partial_channel_fails_at_start_naming_the_variable(
    settings_env: dict[str, str],
) -> None:
    settings_env["MESSENGER_APP_SECRET"] = "s"
    app = create_app(load_settings(settings_env), recover_on_start=False)
    with pytest.raises(ChannelSettingsError, match="MESSENGER_PAGE_ACCESS_TOKEN"):
        async with app.router.lifespan_context(app):
            pass


# -- python -m channels.register ------------------------------------------------------------------

def test_register_telegram_sets_the_webhook_with_the_secret(fake_telegram: FakeTelegram) -> None:
    out = io.StringIO()
    env = {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_SECRET": "tg_secret",
           "TELEGRAM_API_BASE": fake_telegram.api_base}
    code = register_main(["telegram", "--url", "https://bot.example.vn/webhooks/telegram"], env=env, out=out)
    assert code == 0
    [call] = fake_telegram.calls("/setWebhook")
    params = call.params()
    assert params["url"] == "https://bot.example.vn/webhooks/telegram"
    assert params["secret_token"] == "tg_secret"
    assert params["allowed_updates"] == ["message", "callback_query"]


def test_register_zalo_bot_sets_the_webhook_with_the_secret(fake_zalo_bot: FakeZaloBot) -> None:
    out = io.StringIO()
    env = {"ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_BOT_WEBHOOK_SECRET": "zalo-secret-1",
           "ZALO_BOT_API_BASE": fake_zalo_bot.url}
    assert register_main(["zalo", "--url", "https://bot.example.vn/webhooks/zalo"], env=env, out=out) == 0
    assert fake_zalo_bot.webhook == {"url": "https://bot.example.vn/webhooks/zalo", "secret_token": "zalo-secret-1"}
    assert "https://bot.example.vn/webhooks/zalo" in out.getvalue()


@pytest.mark.parametrize(("channel", "env", "expected"), [
    ("messenger", {"MESSENGER_PAGE_ACCESS_TOKEN": "t", "MESSENGER_APP_SECRET": "s", "MESSENGER_VERIFY_TOKEN": "v"},
     "messaging_postbacks"),
    ("zalo-oa", {"ZALO_OA_APP_ID": "42", "ZALO_OA_APP_SECRET": "s", "ZALO_OA_SECRET_KEY": "k",
                 "ZALO_OA_REFRESH_TOKEN": "r"}, "user_send_text"),
])
def test_register_console_channels_prints_the_steps(channel: str, env: dict[str, str], expected: str) -> None:
    out = io.StringIO()
    assert register_main([channel, "--url", f"https://bot.example.vn/webhooks/{channel}"], env=env, out=out) == 0
    assert expected in out.getvalue() and f"https://bot.example.vn/webhooks/{channel}" in out.getvalue()


@pytest.mark.parametrize(("argv", "env", "message"), [
    (["telegram", "--url", "http://bot.example.vn/webhooks/telegram"], {}, "HTTPS"),
    (["telegram", "--url", "https://bot.example.vn/webhooks/zalo"], {}, "/webhooks/telegram"),
    (["telegram", "--url", "https://bot.example.vn/webhooks/telegram"], {}, "chưa được cấu hình"),
    (["messenger", "--url", "https://x.vn/webhooks/messenger"], {"MESSENGER_APP_SECRET": "s"},
     "MESSENGER_VERIFY_TOKEN"),
])
def test_register_refuses_bad_urls_and_settings(
    argv: list[str], env: dict[str, str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert register_main(argv, env=env, out=io.StringIO()) == 1
    assert message in capsys.readouterr().err


def test_register_reports_a_platform_refusal(fake_zalo_bot: FakeZaloBot, capsys: pytest.CaptureFixture[str]) -> None:
    fake_zalo_bot.script("/setWebhook", 200, {"ok": False, "error_code": 401, "description": "Invalid token"})
    env = {"ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_BOT_WEBHOOK_SECRET": "zalo-secret-1",
           "ZALO_BOT_API_BASE": fake_zalo_bot.url}
    assert register_main(["zalo", "--url", "https://bot.example.vn/webhooks/zalo"], env=env, out=io.StringIO()) == 1
    assert "Invalid token" in capsys.readouterr().err


def test_module_runs_as_a_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-m", "channels.register", "--help"], cwd=root, capture_output=True,
                            text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert result.returncode == 0 and "--url" in result.stdout


def test_the_readme_lists_every_channel_setting() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in readme.splitlines() if line.startswith("| ")}
    names = {"telegram": "Telegram", "zalo": "Zalo Bot", "zalo_oa": "Zalo OA", "messenger": "Messenger"}
    for channel, (required, optional) in CHANNEL_SETTINGS.items():
        row = rows[names[channel]]
        assert all(f"`{name}`" in row for name in (*required, *optional)), (channel, row)
