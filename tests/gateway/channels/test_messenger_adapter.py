"""Messenger: handshake, X-Hub-Signature-256, batched entries, quick replies, 24 h window, retries."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import pytest

from channels.base import Button, OutboundMessage, WebhookRejected
from channels.messenger import MessengerAdapter, reply_window_closes_at
from channels.payloads import MalformedUpdateError
from channels.retry import RetryPolicy
from tests.gateway.channels.conftest import RecordedSleep
from tests.gateway.fakes.messenger_server import PAGE_ACCESS_TOKEN, FakeMessenger, signed_headers

APP_SECRET = "messenger-app-secret"
VERIFY_TOKEN = "messenger-verify-token"


def make_adapter(api_base: str = "http://127.0.0.1:9", sleep: RecordedSleep | None = None,
                 *, human_agent: bool = False) -> MessengerAdapter:
    return MessengerAdapter(page_access_token=PAGE_ACCESS_TOKEN, app_secret=APP_SECRET,
                            verify_token=VERIFY_TOKEN, api_base=api_base, retry=RetryPolicy(attempts=3),
                            sleep=sleep or RecordedSleep(), human_agent=human_agent)


@pytest.fixture
async def adapter(fake_messenger: FakeMessenger, recorded_sleep: RecordedSleep) -> AsyncIterator[MessengerAdapter]:
    adapter = make_adapter(fake_messenger.url, recorded_sleep)
    yield adapter
    await adapter.aclose()


def item(psid: str, mid: str, text: str | None = None, **extra: object) -> dict:
    message: dict = {"mid": mid}
    if text is not None:
        message["text"] = text
    message.update(extra)
    return {"sender": {"id": psid}, "recipient": {"id": "PAGE"}, "timestamp": 1_764_000_000_000, "message": message}


def test_handshake() -> None:
    adapter = make_adapter()
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    assert adapter.handshake(good) == "1158201444"
    for bad in ({**good, "hub.verify_token": "nope"}, {**good, "hub.mode": "unsubscribe"},
                {"hub.mode": "subscribe", "hub.challenge": "1"}):
        with pytest.raises(WebhookRejected) as rejected:
            adapter.handshake(bad)
        assert rejected.value.status_code == 403


def test_verify_good_forged_missing() -> None:
    adapter = make_adapter()
    body = b'{"object":"page","entry":[]}'
    adapter.verify(signed_headers(body, APP_SECRET), body)
    with pytest.raises(WebhookRejected) as forged:
        adapter.verify(signed_headers(body, "another-secret"), body)
    with pytest.raises(WebhookRejected) as tampered:
        adapter.verify(signed_headers(body, APP_SECRET), body + b" ")
    with pytest.raises(WebhookRejected) as missing:
        adapter.verify({"X-Hub-Signature": "sha1=abc"}, body)       # the legacy header alone is not enough
    assert (forged.value.status_code, tampered.value.status_code, missing.value.status_code) == (403, 403, 401)


def test_parse_loops_over_batched_entries_and_items() -> None:
    body = {"object": "page", "entry": [
        {"id": "PAGE", "time": 1, "messaging": [item("p1", "m1", "xin chao"), item("p2", "m2", "vay von")]},
        {"id": "PAGE", "time": 2, "messaging": [
            item("p1", "m3", "Ai được vay?", quick_reply={"payload": "/who"}),
            {"sender": {"id": "p3"}, "recipient": {"id": "PAGE"}, "timestamp": 5,
             "postback": {"title": "Bắt đầu", "payload": "/greet"}},
            {"sender": {"id": "p1"}, "recipient": {"id": "PAGE"}, "timestamp": 6, "read": {"watermark": 1}},
            item("PAGE", "m4", "echo", is_echo=True),
        ]},
    ]}
    messages = make_adapter().parse(json.dumps(body).encode())
    assert [(m.external_user_id, m.delivery_key, m.text, m.payload, m.kind) for m in messages] == [
        ("p1", "m1", "xin chao", None, "text"),
        ("p2", "m2", "vay von", None, "text"),
        ("p1", "m3", "Ai được vay?", "/who", "postback"),
        ("p3", "postback:p3:5", "Bắt đầu", "/greet", "postback"),
    ]


def test_parse_attachments_and_malformed() -> None:
    adapter = make_adapter()
    image = item("p1", "m9", attachments=[{"type": "image", "payload": {"url": "https://x"}}])
    [parsed] = adapter.parse(json.dumps({"object": "page", "entry": [{"messaging": [image]}]}).encode())
    assert (parsed.kind, parsed.text) == ("image", None)
    no_mid = b'{"object":"page","entry":[{"messaging":[{"sender":{"id":"p"},"message":{}}]}]}'
    for bad in (b"nope", b'{"object": "user", "entry": []}', no_mid):
        with pytest.raises(MalformedUpdateError):
            adapter.parse(bad)


def test_reply_window_is_24_hours_from_the_last_message() -> None:
    last = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)
    assert reply_window_closes_at(last) == last + timedelta(hours=24)
    assert make_adapter().reply_window_closes_at(last) == last + timedelta(hours=24)


def test_with_human_agent_officers_may_reply_for_7_days() -> None:
    last = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)
    assert make_adapter(human_agent=True).reply_window_closes_at(last) == last + timedelta(days=7)


async def test_human_agent_tag_goes_on_officer_replies_only(
    fake_messenger: FakeMessenger, recorded_sleep: RecordedSleep
) -> None:
    tagged = make_adapter(fake_messenger.url, recorded_sleep, human_agent=True)
    plain = make_adapter(fake_messenger.url, recorded_sleep)
    try:
        assert (await tagged.send("p1", OutboundMessage("Chào anh, em là cán bộ phụ trách.", from_officer=True))).ok
        assert (await tagged.send("p1", OutboundMessage("Câu trả lời của bot"))).ok
        assert (await plain.send("p1", OutboundMessage("Cán bộ trả lời", from_officer=True))).ok
    finally:
        await tagged.aclose()
        await plain.aclose()
    officer, bot, untagged = fake_messenger.delivered
    assert (officer["messaging_type"], officer["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert bot["messaging_type"] == "RESPONSE" and "tag" not in bot      # Meta forbids the tag on automation
    assert untagged["messaging_type"] == "RESPONSE" and "tag" not in untagged


async def test_send_splits_and_puts_quick_replies_on_the_last_bubble(
    adapter: MessengerAdapter, fake_messenger: FakeMessenger
) -> None:
    text = " ".join(["Gia đình có thể cùng người thân đến Ủy ban nhân dân xã để hỏi."] * 50)
    buttons = [Button("Thủ tục xóa án tích cho người thân", "/expunge"), Button("Gặp cán bộ", "/handoff")]
    result = await adapter.send("p1", OutboundMessage(text=text, buttons=buttons))
    assert result.ok, result.error
    bodies = fake_messenger.delivered
    assert len(bodies) == 2 and all(len(b["message"]["text"]) <= 2000 for b in bodies)
    assert all(b["messaging_type"] == "RESPONSE" for b in bodies)
    assert "quick_replies" not in bodies[0]["message"]
    replies = bodies[1]["message"]["quick_replies"]
    assert [r["payload"] for r in replies] == ["/expunge", "/handoff"]
    assert all(len(r["title"]) <= 20 for r in replies) and replies[0]["title"].endswith("…")
    assert fake_messenger.calls("/me/messages")[0].query["access_token"] == PAGE_ACCESS_TOKEN


async def test_more_than_13_buttons_keep_every_choice(adapter: MessengerAdapter, fake_messenger: FakeMessenger) -> None:
    buttons = [Button(f"Mục {n}", f"/p{n}") for n in range(1, 16)]
    result = await adapter.send("p1", OutboundMessage(text="Chọn mục", buttons=buttons))
    assert result.ok
    [body] = fake_messenger.delivered
    assert len(body["message"]["quick_replies"]) == 13
    assert "15. Mục 15" in body["message"]["text"]


async def test_send_retries_5xx_and_transient_errors_then_succeeds(
    adapter: MessengerAdapter, fake_messenger: FakeMessenger, recorded_sleep: RecordedSleep
) -> None:
    fake_messenger.script("/me/messages", 500, {"error": {"message": "Internal", "code": 2, "is_transient": True}})
    fake_messenger.script("/me/messages", 429, {"error": {"message": "Calls limit", "code": 613}},
                          headers={"Retry-After": "4"})
    result = await adapter.send("p1", OutboundMessage(text="Chào bạn"))
    assert result.ok
    assert len(recorded_sleep.waits) == 2 and recorded_sleep.waits[1] == 4.0
    assert fake_messenger.sent_texts("p1") == ["Chào bạn"]


async def test_send_reports_a_permanent_error_without_retrying(
    adapter: MessengerAdapter, fake_messenger: FakeMessenger
) -> None:
    outside = {"message": "(#10) This message is sent outside of allowed window.", "type": "OAuthException",
               "code": 10, "error_subcode": 2018278}
    fake_messenger.script("/me/messages", 400, {"error": outside})
    result = await adapter.send("p1", OutboundMessage(text="Chào bạn"))
    assert not result.ok and "outside of allowed window" in (result.error or "")
    assert len(fake_messenger.calls("/me/messages")) == 1


async def test_send_gives_up_after_bounded_attempts(adapter: MessengerAdapter, fake_messenger: FakeMessenger) -> None:
    fake_messenger.script("/me/messages", 503, b"Service Unavailable", times=5)
    result = await adapter.send("p1", OutboundMessage(text="Chào bạn"))
    assert not result.ok and "503" in (result.error or "")
    assert len(fake_messenger.calls("/me/messages")) == 3
