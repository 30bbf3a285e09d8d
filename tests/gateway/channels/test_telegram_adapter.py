"""Telegram adapter: secret header, Update parsing, sending through a fake Bot API (splits, keyboard, retries)."""
from __future__ import annotations

import json
import warnings
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

from channels.base import Button, OutboundMessage, WebhookRejected
from channels.payloads import MalformedUpdateError
from channels.retry import RetryPolicy
from channels.telegram import TelegramAdapter, _retry_after_seconds
from tests.gateway.channels.conftest import RecordedSleep
from tests.gateway.fakes.telegram_server import TOKEN, FakeTelegram, rate_limited

pytestmark = pytest.mark.asyncio
SECRET = "tg-secret_123"


@pytest_asyncio.fixture
async def adapter(fake_telegram: FakeTelegram, recorded_sleep: RecordedSleep) -> AsyncIterator[TelegramAdapter]:
    adapter = TelegramAdapter(
        token=TOKEN, webhook_secret=SECRET, api_base=fake_telegram.api_base,
        retry=RetryPolicy(attempts=3), sleep=recorded_sleep,
    )
    yield adapter
    await adapter.aclose()


def update(update_id: int = 1, text: str = "xin chao", chat_id: int = 42) -> bytes:
    return json.dumps({
        "update_id": update_id,
        "message": {"message_id": 7, "date": 1_764_000_000, "chat": {"id": chat_id, "type": "private"},
                    "from": {"id": chat_id, "is_bot": False, "first_name": "Lan", "last_name": "Nguyen"},
                    "text": text},
    }).encode()


# -- verify ------------------------------------------------------------------------------------

async def test_verify_accepts_the_secret_header(adapter: TelegramAdapter) -> None:
    adapter.verify({"X-Telegram-Bot-Api-Secret-Token": SECRET}, b"{}")
    adapter.verify({"x-telegram-bot-api-secret-token": SECRET}, b"{}")   # header names are case-insensitive


async def test_verify_refuses_a_wrong_secret_with_403(adapter: TelegramAdapter) -> None:
    with pytest.raises(WebhookRejected) as rejected:
        adapter.verify({"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}, b"{}")
    assert rejected.value.status_code == 403


async def test_verify_refuses_a_missing_secret_with_401(adapter: TelegramAdapter) -> None:
    with pytest.raises(WebhookRejected) as rejected:
        adapter.verify({}, b"{}")
    assert rejected.value.status_code == 401


# -- parse -------------------------------------------------------------------------------------

async def test_parse_text_message(adapter: TelegramAdapter) -> None:
    [inbound] = adapter.parse(update(update_id=77, text="vay von 22"))
    assert inbound.channel == "telegram"
    assert inbound.delivery_key == "77"
    assert inbound.external_user_id == "42"
    assert inbound.text == "vay von 22"
    assert inbound.kind == "text"
    assert inbound.display_name == "Lan Nguyen"
    assert inbound.platform_message_id == "7"
    assert inbound.sent_at is not None and inbound.sent_at.tzinfo is not None


async def test_parse_callback_query_gives_the_payload_and_the_title(adapter: TelegramAdapter) -> None:
    body = json.dumps({
        "update_id": 78,
        "callback_query": {
            "id": "cq-1", "chat_instance": "ci", "data": "/feedback{\"value\":\"helpful\"}",
            "from": {"id": 42, "is_bot": False, "first_name": "Lan"},
            "message": {"message_id": 9, "date": 1_764_000_000, "chat": {"id": 42, "type": "private"},
                        "text": "...", "reply_markup": {"inline_keyboard": [[
                            {"text": "Hữu ích", "callback_data": "/feedback{\"value\":\"helpful\"}"}]]}},
        },
    }).encode()
    [inbound] = adapter.parse(body)
    assert inbound.payload == "/feedback{\"value\":\"helpful\"}"
    assert inbound.kind == "postback"
    assert inbound.text == "Hữu ích"
    assert inbound.delivery_key == "78"
    assert inbound.metadata["callback_query_id"] == "cq-1"


async def test_acknowledge_answers_the_callback_query(adapter: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    [inbound] = adapter.parse(json.dumps({
        "update_id": 79,
        "callback_query": {"id": "cq-2", "chat_instance": "ci", "data": "/x",
                           "from": {"id": 42, "is_bot": False, "first_name": "Lan"}},
    }).encode())
    await adapter.acknowledge(inbound)
    [call] = fake_telegram.calls("/answerCallbackQuery")
    assert call.params()["callback_query_id"] == "cq-2"


async def test_parse_ignores_updates_that_are_not_messages(adapter: TelegramAdapter) -> None:
    body = json.dumps({"update_id": 80, "edited_message": json.loads(update())["message"]}).encode()
    assert adapter.parse(body) == []


async def test_parse_photo_and_sticker_kinds(adapter: TelegramAdapter) -> None:
    base = json.loads(update())["message"]
    del base["text"]
    photo = {**base, "photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}], "caption": "giay to"}
    sticker = {**base, "sticker": {"file_id": "s", "file_unique_id": "u", "width": 1, "height": 1,
                                    "is_animated": False, "is_video": False, "type": "regular"}}
    [image] = adapter.parse(json.dumps({"update_id": 81, "message": photo}).encode())
    [stick] = adapter.parse(json.dumps({"update_id": 82, "message": sticker}).encode())
    assert (image.kind, image.text) == ("image", "giay to")
    assert (stick.kind, stick.text) == ("sticker", None)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"message": {}}'])
async def test_parse_rejects_malformed_bodies(adapter: TelegramAdapter, body: bytes) -> None:
    with pytest.raises(MalformedUpdateError):
        adapter.parse(body)


# -- send --------------------------------------------------------------------------------------

async def test_send_splits_long_text_and_puts_the_keyboard_on_the_last_bubble(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    text = " ".join(["Bạn mang căn cước đến Công an xã nơi cư trú để nộp hồ sơ."] * 100)   # ~5800
    buttons = [Button("Lãi suất?", "/choose_article{\"article_id\":\"loan_22_2023.interest\"}"),
               Button("Gặp cán bộ", "/handoff")]
    result = await adapter.send("42", OutboundMessage(text=text, buttons=buttons))
    assert result.ok, result.error
    sent = fake_telegram.sent_messages("42")
    assert len(sent) == 2 == len(result.platform_message_ids)
    assert all(len(message["text"]) <= 4096 for message in sent)
    assert " ".join(message["text"] for message in sent) == text
    assert "reply_markup" not in sent[0]
    keyboard = sent[1]["reply_markup"]["inline_keyboard"]
    assert [[button["text"] for button in row] for row in keyboard] == [["Lãi suất?"], ["Gặp cán bộ"]]
    assert keyboard[0][0]["callback_data"] == buttons[0].payload


async def test_long_payloads_travel_as_a_token_and_come_back_as_the_payload(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    payload = "/choose_article{\"article_id\":\"reintegration_support.one_time_allowance_amount\"}"
    assert len(payload.encode()) > 64
    await adapter.send("42", OutboundMessage(text="Chọn một câu hỏi", buttons=[Button("Mức hỗ trợ", payload)]))
    [message] = fake_telegram.sent_messages("42")
    data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert len(data.encode()) <= 64
    [inbound] = adapter.parse(json.dumps({
        "update_id": 90,
        "callback_query": {"id": "cq", "chat_instance": "ci", "data": data,
                           "from": {"id": 42, "is_bot": False, "first_name": "Lan"}},
    }).encode())
    assert inbound.payload == payload


async def test_unknown_token_falls_back_to_the_button_title(adapter: TelegramAdapter) -> None:
    [inbound] = adapter.parse(json.dumps({
        "update_id": 91,
        "callback_query": {
            "id": "cq", "chat_instance": "ci", "data": "~forgotten",
            "from": {"id": 42, "is_bot": False, "first_name": "Lan"},
            "message": {"message_id": 9, "date": 1, "chat": {"id": 42, "type": "private"}, "text": "…",
                        "reply_markup": {"inline_keyboard": [[{"text": "Mức hỗ trợ", "callback_data": "~forgotten"}]]}},
        },
    }).encode())
    assert (inbound.payload, inbound.text, inbound.kind) == (None, "Mức hỗ trợ", "text")


async def test_send_honours_retry_after_on_429(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, recorded_sleep: RecordedSleep
) -> None:
    fake_telegram.script("/sendMessage", 429, rate_limited(3))
    result = await adapter.send("42", OutboundMessage(text="Xin chào"))
    assert result.ok
    assert recorded_sleep.waits == [3.0]
    assert fake_telegram.sent_texts("42") == ["Xin chào"]
    assert len(fake_telegram.calls("/sendMessage")) == 2


async def test_send_backs_off_on_5xx(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, recorded_sleep: RecordedSleep
) -> None:
    fake_telegram.script("/sendMessage", 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}, times=2)
    result = await adapter.send("42", OutboundMessage(text="Xin chào"))
    assert result.ok
    assert len(recorded_sleep.waits) == 2
    assert recorded_sleep.waits[1] > recorded_sleep.waits[0]      # exponential
    assert fake_telegram.sent_texts("42") == ["Xin chào"]


async def test_send_gives_up_after_bounded_attempts_and_reports_the_error(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.script("/sendMessage", 500, {"ok": False, "error_code": 500, "description": "Internal"}, times=10)
    result = await adapter.send("42", OutboundMessage(text="Xin chào"))
    assert not result.ok
    assert result.error is not None and "Internal" in result.error
    assert len(fake_telegram.calls("/sendMessage")) == 3


async def test_send_does_not_retry_a_blocked_bot(adapter: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    fake_telegram.script("/sendMessage", 403, {"ok": False, "error_code": 403,
                                              "description": "Forbidden: bot was blocked by the user"})
    result = await adapter.send("42", OutboundMessage(text="Xin chào"))
    assert not result.ok and "blocked" in (result.error or "")
    assert len(fake_telegram.calls("/sendMessage")) == 1


async def test_send_never_raises_when_the_platform_is_unreachable(recorded_sleep: RecordedSleep) -> None:
    adapter = TelegramAdapter(token=TOKEN, webhook_secret=SECRET, api_base="http://127.0.0.1:9/bot",
                              retry=RetryPolicy(attempts=2), sleep=recorded_sleep)
    result = await adapter.send("42", OutboundMessage(text="Xin chào"))
    await adapter.aclose()
    assert not result.ok and result.error
    assert len(recorded_sleep.waits) == 1


@pytest.mark.parametrize("timedelta_mode", ["1", "false"])
async def test_retry_after_is_read_as_int_or_timedelta(timedelta_mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", timedelta_mode)
    with warnings.catch_warnings():   # PTB warns while building RetryAfter in int mode
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        error = RetryAfter(5)
        raw = error.retry_after
    assert isinstance(raw, timedelta if timedelta_mode == "1" else int)
    assert _retry_after_seconds(error) == 5.0
