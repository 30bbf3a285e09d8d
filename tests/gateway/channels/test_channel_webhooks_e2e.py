"""End to end, per channel: a signed webhook into the gateway app → the fake engine → the answer at the fake platform.

Every channel runs the same scenarios: right text/splits/buttons, forged and missing signatures refused with
nothing stored, a redelivered update answered once, five quick messages answered in order, and the engine
down (the person is told honestly at their platform and the message is kept).
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from gateway.conversations import texts
from gateway.db.models import InboundDelivery, Message
from gateway.services import Services
from gateway.settings import Settings, load_settings
from tests.gateway.fakes.engine import FakeEngine, bubble
from tests.gateway.fakes.messenger_server import PAGE_ACCESS_TOKEN, FakeMessenger
from tests.gateway.fakes.messenger_server import signed_headers as messenger_signed
from tests.gateway.fakes.telegram_server import TOKEN as TELEGRAM_TOKEN
from tests.gateway.fakes.telegram_server import FakeTelegram
from tests.gateway.fakes.zalo_bot_server import TOKEN as ZALO_BOT_TOKEN
from tests.gateway.fakes.zalo_bot_server import FakeZaloBot
from tests.gateway.fakes.zalo_oa_server import APP_ID, APP_SECRET, FakeZaloOA
from tests.gateway.fakes.zalo_oa_server import signed_headers as zalo_oa_signed

TELEGRAM_SECRET = "tg-webhook-secret"
ZALO_BOT_SECRET = "zalo-webhook-secret"
OA_SECRET_KEY = "oa-secret-key"
MESSENGER_SECRET = "messenger-app-secret"
MESSENGER_VERIFY = "messenger-verify"
_ids = itertools.count(1)


@dataclass
class Platform:
    """How one channel looks from outside: its webhook body, signature and what the person received."""

    name: str
    slug: str
    limit: int
    user: str
    make_body: Callable[[str, str], bytes]        # (user, text) → a new update, unique delivery key
    sign: Callable[[bytes], dict[str, str]]
    forge: Callable[[bytes], dict[str, str]]
    received: Callable[[str], list[str]]
    keyboard: Callable[[], list[str]]              # titles of the last real buttons sent (empty if numbered)


def telegram(fake: FakeTelegram) -> Platform:
    def body(user: str, text: str) -> bytes:
        n = next(_ids)
        return json.dumps({"update_id": 10_000 + n, "message": {
            "message_id": n, "date": 1_764_000_000, "chat": {"id": int(user), "type": "private"},
            "from": {"id": int(user), "is_bot": False, "first_name": "Lan"}, "text": text}}).encode()

    def keyboard() -> list[str]:
        markup = fake.sent_messages()[-1].get("reply_markup") or {}
        return [row[0]["text"] for row in markup.get("inline_keyboard", [])]

    return Platform("telegram", "telegram", 4096, "4242", body,
                    lambda b: {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
                    lambda b: {"X-Telegram-Bot-Api-Secret-Token": "forged"}, fake.sent_texts, keyboard)


def zalo_bot(fake: FakeZaloBot) -> Platform:
    def body(user: str, text: str) -> bytes:
        n = next(_ids)
        return json.dumps({"event_name": "message.text.received", "message": {
            "message_id": f"zm-{n}", "date": 1_764_000_000_000, "chat": {"id": user, "chat_type": "PRIVATE"},
            "from": {"id": user, "display_name": "Hùng", "is_bot": False}, "text": text}}).encode()

    return Platform("zalo", "zalo", 2000, "zalo-user-1", body,
                    lambda b: {"X-Bot-Api-Secret-Token": ZALO_BOT_SECRET},
                    lambda b: {"X-Bot-Api-Secret-Token": "forged-secret"}, fake.sent_texts, lambda: [])


def zalo_oa(fake: FakeZaloOA) -> Platform:
    def body(user: str, text: str) -> bytes:
        n = next(_ids)
        return json.dumps({"app_id": APP_ID, "event_name": "user_send_text", "timestamp": "1764000000000",
                           "sender": {"id": user}, "recipient": {"id": "oa-1"},
                           "message": {"msg_id": f"oa-msg-{n}", "text": text}}, ensure_ascii=False).encode()

    return Platform("zalo_oa", "zalo-oa", 2000, "oa-user-1", body,
                    lambda b: zalo_oa_signed(b, OA_SECRET_KEY), lambda b: zalo_oa_signed(b, "forged-key"),
                    fake.sent_texts, lambda: [])


def messenger(fake: FakeMessenger) -> Platform:
    def body(user: str, text: str) -> bytes:
        n = next(_ids)
        return json.dumps({"object": "page", "entry": [{"id": "PAGE", "time": 1, "messaging": [{
            "sender": {"id": user}, "recipient": {"id": "PAGE"}, "timestamp": 1_764_000_000_000 + n,
            "message": {"mid": f"m_{n}", "text": text}}]}]}).encode()

    def keyboard() -> list[str]:
        return [reply["title"] for reply in fake.delivered[-1]["message"].get("quick_replies", [])]

    return Platform("messenger", "messenger", 2000, "psid-1", body,
                    lambda b: messenger_signed(b, MESSENGER_SECRET), lambda b: messenger_signed(b, "forged"),
                    fake.sent_texts, keyboard)


@pytest.fixture
def platforms(settings_env: dict[str, str], fake_telegram: FakeTelegram, fake_zalo_bot: FakeZaloBot,
              fake_zalo_oa: FakeZaloOA, fake_messenger: FakeMessenger) -> dict[str, Platform]:
    settings_env.update({
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE": fake_telegram.api_base,
        "ZALO_BOT_TOKEN": ZALO_BOT_TOKEN, "ZALO_BOT_WEBHOOK_SECRET": ZALO_BOT_SECRET,
        "ZALO_BOT_API_BASE": fake_zalo_bot.url,
        "ZALO_OA_APP_ID": APP_ID, "ZALO_OA_APP_SECRET": APP_SECRET, "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
        "ZALO_OA_REFRESH_TOKEN": "refresh-0", "ZALO_OA_ACCESS_TOKEN": "access-0",
        "ZALO_OA_API_BASE": fake_zalo_oa.url, "ZALO_OA_OAUTH_BASE": fake_zalo_oa.url,
        "MESSENGER_PAGE_ACCESS_TOKEN": PAGE_ACCESS_TOKEN, "MESSENGER_APP_SECRET": MESSENGER_SECRET,
        "MESSENGER_VERIFY_TOKEN": MESSENGER_VERIFY, "MESSENGER_API_BASE": fake_messenger.url,
    })
    return {"telegram": telegram(fake_telegram), "zalo": zalo_bot(fake_zalo_bot),
            "zalo_oa": zalo_oa(fake_zalo_oa), "messenger": messenger(fake_messenger)}


@pytest.fixture
def settings(settings_env: dict[str, str], platforms: dict[str, Platform]) -> Settings:
    """The shared settings fixture, built after `platforms` put the channel variables in."""
    return load_settings(settings_env)


@pytest.fixture(autouse=True)
async def _zalo_oa_tokens_seeded(app: FastAPI, platforms: dict[str, Platform]) -> None:
    """The shared `app` fixture empties PostgreSQL after start-up, taking the seeded OA tokens with it."""
    adapter = app.state.channels.adapters["zalo_oa"]
    await adapter.tokens.seed("refresh-0", "access-0")


CHANNELS = ["telegram", "zalo", "zalo_oa", "messenger"]


async def post(client: httpx.AsyncClient, platform: Platform, body: bytes,
               headers: dict[str, str] | None = None) -> httpx.Response:
    headers = platform.sign(body) if headers is None else headers
    return await client.post(f"/webhooks/{platform.slug}", content=body,
                             headers={"Content-Type": "application/json", **headers})


async def count(services: Services, model: Any) -> int:
    async with services.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def incoming_texts(services: Services) -> list[str | None]:
    async with services.database.sessions() as session:
        rows = await session.scalars(select(Message.text).where(Message.direction == "incoming").order_by(Message.id))
        return list(rows)


def without_consent(received: list[str]) -> list[str]:
    return [text for text in received if "xóa dữ liệu của tôi" not in text]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_answer_arrives_with_text_and_buttons(
    channel: str, platforms: dict[str, Platform], client: httpx.AsyncClient, services: Services,
    fake_engine: FakeEngine,
) -> None:
    platform = platforms[channel]
    response = await post(client, platform, platform.make_body(platform.user, "vay von lai suat bao nhieu"))
    assert response.status_code == 200, response.text
    await services.pipeline.drain()

    received = platform.received(platform.user)
    assert "xóa dữ liệu của tôi" in received[0]                           # consent notice first
    answer = without_consent(received)
    assert answer[0].startswith("Người chấp hành xong án phạt tù được vay vốn")
    assert answer[1].startswith("Bạn đến Phòng giao dịch Ngân hàng Chính sách xã hội")
    if channel in ("telegram", "messenger"):
        assert platform.keyboard() == ["Ai được vay?", "Gặp cán bộ"]
    else:
        assert answer[1].endswith("\n\n1. Ai được vay?\n2. Gặp cán bộ")
    assert fake_engine.requests[-1]["metadata"]["channel"] == channel


@pytest.mark.parametrize("channel", CHANNELS)
async def test_long_answer_is_split_within_the_platform_limit(
    channel: str, platforms: dict[str, Platform], client: httpx.AsyncClient, services: Services,
    fake_engine: FakeEngine,
) -> None:
    platform = platforms[channel]
    long_text = " ".join(["Bạn mang căn cước và giấy chứng nhận chấp hành xong án phạt tù đến xã."] * 90)  # ~6500
    fake_engine.script = lambda sender, message, metadata: [bubble(long_text, "reintegration_support")]
    assert (await post(client, platform, platform.make_body(platform.user, "ho tro"))).status_code == 200
    await services.pipeline.drain()

    pieces = without_consent(platform.received(platform.user))
    fewest = -(-len(long_text) // platform.limit)
    assert fewest <= len(pieces) <= fewest + 1
    assert all(len(piece) <= platform.limit for piece in pieces)
    assert " ".join(pieces) == long_text
    assert all(piece.endswith("xã.") for piece in pieces)                # cut at sentence ends


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("signature", ["forged", "missing"])
async def test_forged_and_missing_signatures_are_refused_and_nothing_is_stored(
    channel: str, signature: str, platforms: dict[str, Platform], client: httpx.AsyncClient,
    services: Services, fake_engine: FakeEngine,
) -> None:
    platform = platforms[channel]
    body = platform.make_body(platform.user, "xin chao")
    headers = platform.forge(body) if signature == "forged" else {}
    response = await post(client, platform, body, headers)
    await services.pipeline.drain()

    assert response.status_code == (403 if signature == "forged" else 401)
    assert response.json()["error"]["code"] in {"forbidden", "unauthorized"}
    assert await count(services, Message) == 0
    assert await count(services, InboundDelivery) == 0
    assert fake_engine.requests == []
    assert platform.received(platform.user) == []


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_redelivered_update_is_answered_once(
    channel: str, platforms: dict[str, Platform], client: httpx.AsyncClient, services: Services,
    fake_engine: FakeEngine,
) -> None:
    platform = platforms[channel]
    body = platform.make_body(platform.user, "echo mot lan")
    first = await post(client, platform, body)
    second = await post(client, platform, body)
    await services.pipeline.drain()

    assert (first.status_code, second.status_code) == (200, 200)      # 200 again, or the platform keeps retrying
    assert fake_engine.messages_seen() == ["echo mot lan"]
    assert without_consent(platform.received(platform.user)) == ["đáp: mot lan"]
    assert await incoming_texts(services) == ["echo mot lan"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_five_quick_messages_are_answered_in_order(
    channel: str, platforms: dict[str, Platform], client: httpx.AsyncClient, services: Services,
    fake_engine: FakeEngine,
) -> None:
    platform = platforms[channel]
    # The first answer is the slowest, so a pipeline that answered concurrently would reorder them.
    fake_engine.delay = lambda message: 0.4 if message.endswith(" 1") else 0.0
    for n in range(1, 6):
        response = await post(client, platform, platform.make_body(platform.user, f"echo tin {n}"))
        assert response.status_code == 200
    await services.pipeline.drain()

    assert without_consent(platform.received(platform.user)) == [f"đáp: tin {n}" for n in range(1, 6)]
    assert fake_engine.messages_seen() == [f"echo tin {n}" for n in range(1, 6)]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_engine_down_the_person_is_told_and_the_message_kept(
    channel: str, platforms: dict[str, Platform], client: httpx.AsyncClient, services: Services,
    fake_engine: FakeEngine,
) -> None:
    platform = platforms[channel]
    fake_engine.down = True
    response = await post(client, platform, platform.make_body(platform.user, "toi can giup do gap"))
    await services.pipeline.drain()

    assert response.status_code == 200
    assert without_consent(platform.received(platform.user)) == [texts.ENGINE_UNAVAILABLE]
    assert await incoming_texts(services) == ["toi can giup do gap"]


# -- channel specifics --------------------------------------------------------------------------

@pytest.mark.parametrize("channel", ["zalo", "zalo_oa"])
async def test_a_typed_number_picks_the_numbered_option(
    channel: str, platforms: dict[str, Platform], client: httpx.AsyncClient, services: Services,
    fake_engine: FakeEngine,
) -> None:
    platform = platforms[channel]
    await post(client, platform, platform.make_body(platform.user, "vay von"))
    await services.pipeline.drain()
    await post(client, platform, platform.make_body(platform.user, "1"))
    await services.pipeline.drain()

    assert fake_engine.messages_seen()[-1] == '/choose_article{"article_id":"loan_22_2023.who"}'
    assert platform.received(platform.user)[-1] == "Người đã chấp hành xong án phạt tù, cư trú hợp pháp."


async def test_telegram_button_tap_sends_the_payload_and_answers_the_callback(
    platforms: dict[str, Platform], client: httpx.AsyncClient, services: Services,
    fake_engine: FakeEngine, fake_telegram: FakeTelegram,
) -> None:
    body = json.dumps({"update_id": 99_001, "callback_query": {
        "id": "cq-77", "chat_instance": "ci", "data": '/choose_article{"article_id":"loan_22_2023.who"}',
        "from": {"id": 4242, "is_bot": False, "first_name": "Lan"},
        "message": {"message_id": 5, "date": 1, "chat": {"id": 4242, "type": "private"}, "text": "…"}}}).encode()
    response = await post(client, platforms["telegram"], body)
    await services.pipeline.drain()

    assert response.status_code == 200
    assert fake_engine.messages_seen() == ['/choose_article{"article_id":"loan_22_2023.who"}']
    assert fake_telegram.wait_for("/answerCallbackQuery", 1)[0].params()["callback_query_id"] == "cq-77"


async def test_a_batched_messenger_delivery_stores_and_answers_every_message(
    platforms: dict[str, Platform], client: httpx.AsyncClient, services: Services,
    fake_engine: FakeEngine, fake_messenger: FakeMessenger,
) -> None:
    items = [{"sender": {"id": psid}, "recipient": {"id": "PAGE"}, "timestamp": n,
              "message": {"mid": f"batch-{n}", "text": f"echo {psid}"}}
             for n, psid in enumerate(["psid-a", "psid-b", "psid-c"])]
    body = json.dumps({"object": "page", "entry": [{"id": "PAGE", "messaging": items[:2]},
                                                   {"id": "PAGE", "messaging": items[2:]}]}).encode()
    assert (await post(client, platforms["messenger"], body)).status_code == 200
    await services.pipeline.drain()

    for psid in ("psid-a", "psid-b", "psid-c"):
        assert without_consent(fake_messenger.sent_texts(psid)) == [f"đáp: {psid}"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_malformed_json_after_a_valid_signature_is_a_400(
    channel: str, platforms: dict[str, Platform], client: httpx.AsyncClient, services: Services,
) -> None:
    platform = platforms[channel]
    if channel == "zalo_oa":
        # Zalo OA signs fields inside the body: a body without them cannot be verified at all.
        body = json.dumps({"app_id": APP_ID, "timestamp": "1", "event_name": "user_send_text"}).encode()
    else:
        body = b'{"not": "an update"' if channel != "messenger" else b'{"object": "page"}'
        if channel == "telegram":
            body = b"{not json"
    response = await post(client, platform, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_update"
    assert await count(services, Message) == 0


async def test_messenger_handshake(platforms: dict[str, Platform], client: httpx.AsyncClient) -> None:
    good = {"hub.mode": "subscribe", "hub.verify_token": MESSENGER_VERIFY, "hub.challenge": "31337"}
    ok = await client.get("/webhooks/messenger", params=good)
    bad = await client.get("/webhooks/messenger", params={**good, "hub.verify_token": "wrong"})
    assert (ok.status_code, ok.text) == (200, "31337")
    assert bad.status_code == 403


async def test_zalo_oa_reply_after_an_expired_token_reaches_the_person(
    platforms: dict[str, Platform], client: httpx.AsyncClient, services: Services, fake_zalo_oa: FakeZaloOA,
) -> None:
    fake_zalo_oa.expire_access_tokens()
    platform = platforms["zalo_oa"]
    await post(client, platform, platform.make_body(platform.user, "echo van den"))
    await services.pipeline.drain()
    assert without_consent(fake_zalo_oa.sent_texts(platform.user)) == ["đáp: van den"]
    assert fake_zalo_oa.refreshes == 1


async def test_failed_delivery_is_recorded_on_the_message(
    platforms: dict[str, Platform], client: httpx.AsyncClient, services: Services, fake_zalo_bot: FakeZaloBot,
) -> None:
    fake_zalo_bot.script("/sendMessage", 200, {"ok": False, "error_code": 403, "description": "User blocked the bot"},
                         times=10)
    platform = platforms["zalo"]
    await post(client, platform, platform.make_body(platform.user, "echo ai nghe"))
    await services.pipeline.drain()
    async with services.database.sessions() as session:
        outgoing = list(await session.scalars(select(Message).where(Message.direction == "outgoing")))
    assert outgoing and all(m.delivery_status == "failed" for m in outgoing)
    assert all("blocked" in (m.external_error or "") for m in outgoing)
