"""Zalo Bot Platform: secret header, bare and wrapped updates, SDK-named client, numbered options, retries."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from channels.base import Button, OutboundMessage, WebhookRejected
from channels.payloads import MalformedUpdateError
from channels.retry import RetryPolicy
from channels.zalo_bot import ZaloBotAdapter, ZaloBotClient, ZaloBotError
from tests.gateway.channels.conftest import RecordedSleep
from tests.gateway.fakes.zalo_bot_server import TOKEN, FakeZaloBot

SECRET = "zalo-bot-secret-1"


@pytest.fixture
async def adapter(fake_zalo_bot: FakeZaloBot, recorded_sleep: RecordedSleep) -> AsyncIterator[ZaloBotAdapter]:
    adapter = ZaloBotAdapter(token=TOKEN, webhook_secret=SECRET, api_base=fake_zalo_bot.url,
                             retry=RetryPolicy(attempts=3), sleep=recorded_sleep)
    yield adapter
    await adapter.aclose()


def event(text: str = "xin chao", message_id: str = "m1", name: str = "message.text.received") -> dict:
    return {"event_name": name,
            "message": {"message_id": message_id, "date": 1_750_316_131_602,
                        "chat": {"id": "u-77", "chat_type": "PRIVATE"},
                        "from": {"id": "u-77", "display_name": "Hùng", "is_bot": False}, "text": text}}


def test_verify_good_forged_missing() -> None:
    adapter = ZaloBotAdapter(token=TOKEN, webhook_secret=SECRET)
    adapter.verify({"X-Bot-Api-Secret-Token": SECRET}, b"{}")
    with pytest.raises(WebhookRejected) as forged:
        adapter.verify({"X-Bot-Api-Secret-Token": "zalo-bot-secret-2"}, b"{}")
    with pytest.raises(WebhookRejected) as missing:
        adapter.verify({"X-Telegram-Bot-Api-Secret-Token": SECRET}, b"{}")
    assert (forged.value.status_code, missing.value.status_code) == (403, 401)


@pytest.mark.parametrize("wrapped", [False, True])
def test_parse_accepts_bare_and_wrapped_updates(wrapped: bool) -> None:
    adapter = ZaloBotAdapter(token=TOKEN, webhook_secret=SECRET)
    body = {"ok": True, "result": event()} if wrapped else event()
    [inbound] = adapter.parse(json.dumps(body).encode())
    assert inbound.channel == "zalo"
    assert inbound.external_user_id == "u-77"
    assert inbound.delivery_key == "message.text.received:m1"
    assert (inbound.text, inbound.kind, inbound.display_name) == ("xin chao", "text", "Hùng")
    assert inbound.sent_at is not None and inbound.sent_at.year == 2025


def test_parse_kinds_and_ignored_events() -> None:
    adapter = ZaloBotAdapter(token=TOKEN, webhook_secret=SECRET)
    image = event(name="message.image.received")
    image["message"].update({"photo_url": "https://x/y.jpg", "caption": "giay ra trai"})
    [parsed] = adapter.parse(json.dumps(image).encode())
    assert (parsed.kind, parsed.text, parsed.metadata["photo_url"]) == ("image", "giay ra trai", "https://x/y.jpg")
    [sticker] = adapter.parse(json.dumps(event(name="message.sticker.received")).encode())
    assert sticker.kind == "sticker" and sticker.text is None
    assert adapter.parse(json.dumps({**event(), "event_name": "bot.added"}).encode()) == []


@pytest.mark.parametrize("body", [b"{oops", b'{"message": {}}', b'{"event_name": "message.text.received"}'])
def test_parse_rejects_malformed(body: bytes) -> None:
    with pytest.raises(MalformedUpdateError):
        ZaloBotAdapter(token=TOKEN, webhook_secret=SECRET).parse(body)


async def test_client_methods_use_the_sdk_names_and_the_platform_endpoints(fake_zalo_bot: FakeZaloBot) -> None:
    client = ZaloBotClient(TOKEN, api_base=fake_zalo_bot.url)
    assert (await client.get_me())["account_name"] == "Bot Test"
    await client.set_webhook("https://example.org/webhooks/zalo", "zalo-bot-secret-1")
    assert (await client.get_webhook_info())["url"] == "https://example.org/webhooks/zalo"
    assert await client.get_update(timeout=1) is None                  # 408: nothing waiting
    await client.send_photo("u-77", "https://example.org/a.png", caption="ảnh")
    await client.send_chat_action("u-77", "typing")
    await client.delete_webhook()
    with pytest.raises(ZaloBotError) as refused:
        await client.set_webhook("http://insecure", "zalo-bot-secret-1")
    await client.aclose()
    paths = [request.path.rsplit("/", 1)[-1] for request in fake_zalo_bot.requests]
    assert paths == ["getMe", "setWebhook", "getWebhookInfo", "getUpdates", "sendPhoto", "sendChatAction",
                     "deleteWebhook", "setWebhook"]
    assert fake_zalo_bot.calls("/setWebhook")[0].json() == {"url": "https://example.org/webhooks/zalo",
                                                           "secret_token": "zalo-bot-secret-1"}
    assert fake_zalo_bot.calls("/getUpdates")[0].json() == {"timeout": "1"}
    assert refused.value.error_code == 400


async def test_send_splits_at_2000_and_appends_numbered_options(
    adapter: ZaloBotAdapter, fake_zalo_bot: FakeZaloBot
) -> None:
    text = " ".join(["Bạn đến Ngân hàng Chính sách xã hội để hỏi thủ tục vay vốn."] * 50)   # ~3000
    buttons = [Button("Ai được vay?", "/who"), Button("Gặp cán bộ", "/handoff")]
    result = await adapter.send("u-77", OutboundMessage(text=text, buttons=buttons))
    assert result.ok and len(result.platform_message_ids) == 2
    sent = fake_zalo_bot.sent_texts("u-77")
    assert len(sent) == 2 and all(len(piece) <= 2000 for piece in sent)
    assert sent[-1].endswith("\n\n1. Ai được vay?\n2. Gặp cán bộ")
    assert "1. Ai được vay?" not in sent[0]


async def test_send_honours_retry_after_and_backs_off_on_5xx(
    adapter: ZaloBotAdapter, fake_zalo_bot: FakeZaloBot, recorded_sleep: RecordedSleep
) -> None:
    fake_zalo_bot.script("/sendMessage", 429, {"ok": False, "error_code": 429, "description": "Too many requests",
                                               "parameters": {"retry_after": 2}})
    fake_zalo_bot.script("/sendMessage", 503, {"ok": False, "error_code": 503, "description": "Unavailable"})
    result = await adapter.send("u-77", OutboundMessage(text="Chào bạn"))
    assert result.ok
    assert recorded_sleep.waits[0] == 2.0 and len(recorded_sleep.waits) == 2
    assert fake_zalo_bot.sent_texts("u-77") == ["Chào bạn"]


async def test_send_gives_up_with_the_platform_error(adapter: ZaloBotAdapter, fake_zalo_bot: FakeZaloBot) -> None:
    fake_zalo_bot.script("/sendMessage", 500, {"ok": False, "error_code": 500, "description": "Server error"}, times=5)
    result = await adapter.send("u-77", OutboundMessage(text="Chào bạn"))
    assert not result.ok and "Server error" in (result.error or "")
    assert len(fake_zalo_bot.calls("/sendMessage")) == 3


async def test_send_does_not_retry_a_client_error(adapter: ZaloBotAdapter, fake_zalo_bot: FakeZaloBot) -> None:
    fake_zalo_bot.script("/sendMessage", 200, {"ok": False, "error_code": 403, "description": "User blocked the bot"})
    result = await adapter.send("u-77", OutboundMessage(text="Chào bạn"))
    assert not result.ok and "blocked" in (result.error or "")
    assert len(fake_zalo_bot.calls("/sendMessage")) == 1
