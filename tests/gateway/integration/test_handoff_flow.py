"""Handoff through the pipeline: crisis, the person asking for a human, engine failures, resolve."""
from __future__ import annotations

import httpx
from sqlalchemy import select

from gateway.db.models import Message, Officer
from gateway.services import Services
from tests.gateway.fakes.engine import FakeEngine
from tests.gateway.integration.test_webchat_api import answers, chat


async def transcript(services: Services, conversation_id: str) -> list[Message]:
    async with services.database.sessions() as session:
        return list(await session.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)))


async def add_officer(services: Services, name: str = "Trần Văn An") -> Officer:
    async with services.database.sessions() as session:
        officer = Officer(username=name.split()[-1].lower(), display_name=name, password_hash="x",
                          role="officer", active=True, failed_logins=0)
        session.add(officer)
        await session.commit()
        return officer


async def test_crisis_goes_urgent_and_the_bot_stays_silent(client: httpx.AsyncClient, fake_engine: FakeEngine,
                                                           services: Services) -> None:
    body = await chat(client, "web-crisis", "toi muon tu tu")

    assert answers(body)[0]["meta"]["topic"] == "crisis"
    assert "113" in answers(body)[0]["text"]
    assert body["conversation"]["status"] == "human"
    assert body["conversation"]["priority"] == "urgent"
    assert body["conversation"]["officer"] is None
    asked = len(fake_engine.requests)

    after = await chat(client, "web-crisis", "con do khong")
    again = await chat(client, "web-crisis", "alo")

    assert len(fake_engine.requests) == asked, "the engine must not be asked while officers have it"
    assert answers(after) == [] and answers(again) == []
    waiting = [m for m in body["messages"] if m["meta"]["kind"] == "waiting"]
    assert len(waiting) == 1 and "113" in waiting[0]["text"]     # told in the same turn when officers answer …
    assert after["messages"] == [] and again["messages"] == []  # … and not again on every message
    assert again["conversation"]["status"] == "human" and again["conversation"]["priority"] == "urgent"

    activity = [m for m in await transcript(services, body["conversation"]["id"]) if m.direction == "activity"]
    assert len(activity) == 1
    assert activity[0].text.startswith("Chuyển cho cán bộ (lý do: tình huống nguy hiểm")


async def test_asking_for_an_officer_queues_with_normal_priority(client: httpx.AsyncClient) -> None:
    body = await chat(client, "web-human", "toi muon gap can bo")
    assert body["conversation"]["status"] == "human"
    assert body["conversation"]["priority"] == "normal"
    assert answers(body)[0]["meta"]["topic"] == "handoff"


async def test_engine_down_gives_honest_reply_keeps_message_and_queues(
        client: httpx.AsyncClient, fake_engine: FakeEngine, services: Services) -> None:
    fake_engine.down = True
    body = await chat(client, "web-down", "vay von lai suat")

    texts = [m["text"] for m in body["messages"]]
    assert any("gián đoạn" in t and "113" in t for t in texts)
    assert body["conversation"]["status"] == "human"
    assert body["conversation"]["officer"] is None
    messages = await transcript(services, body["conversation"]["id"])
    incoming = [m for m in messages if m.direction == "incoming"]
    assert [m.text for m in incoming] == ["vay von lai suat"]
    assert incoming[0].external_error == "engine_unavailable"
    assert incoming[0].handled_at is not None
    activity = [m for m in messages if m.direction == "activity"]
    assert "hệ thống trả lời tự động bị gián đoạn" in activity[0].text

    # Once the engine is back, the conversation stays with the officers until they hand it back.
    fake_engine.down = False
    later = await chat(client, "web-down", "alo")
    assert later["messages"] == [] and fake_engine.requests == []


async def test_engine_unreachable_is_handled_like_down(settings_env: dict[str, str]) -> None:
    from gateway.app import create_app
    from gateway.settings import load_settings

    settings_env["RASA_URL"] = "http://127.0.0.1:9"    # nothing listens on the discard port
    app = create_app(load_settings(settings_env), recover_on_start=False)
    async with app.router.lifespan_context(app):
        from tests.gateway.conftest import empty_stores

        await empty_stores(app.state.services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            body = await chat(client, "web-unreach", "xin chao")
    assert body["conversation"]["status"] == "human"
    assert body["messages"][-1]["meta"]["kind"] == "engine_unavailable"


async def test_officer_reply_resolve_and_back_to_bot(client: httpx.AsyncClient, fake_engine: FakeEngine,
                                                     services: Services) -> None:
    body = await chat(client, "web-cycle", "gap can bo")
    conversation_id = body["conversation"]["id"]
    officer = await add_officer(services)

    await services.handoff.claim(conversation_id, officer.id)
    assigned = await chat(client, "web-cycle", "chao can bo")
    assert assigned["conversation"]["officer"] == "Trần Văn An"
    assert assigned["conversation"]["status"] == "human"

    await services.handoff.resolve(conversation_id, by=officer.id)
    back = await chat(client, "web-cycle", "vay von")
    assert back["conversation"]["status"] == "bot"
    assert back["conversation"]["priority"] == "normal"
    assert answers(back)[0]["meta"]["topic"] == "loan_22_2023"
    kinds = [m["meta"]["kind"] for m in back["messages"]]
    assert kinds[0] == "back_to_bot", "the person is told the bot answers again"
    later = await chat(client, "web-cycle", "con lai suat")
    assert "back_to_bot" not in [m["meta"]["kind"] for m in later["messages"]]
    activity = [m.text for m in await transcript(services, conversation_id) if m.direction == "activity"]
    assert activity[1] == "Cán bộ Trần Văn An nhận cuộc trò chuyện"
    assert activity[2].startswith("Đã giải quyết xong")
    assert activity[3].startswith("Người dùng nhắn lại sau khi đã giải quyết")


async def test_typed_digit_picks_a_numbered_option_on_channels_without_buttons(
        services: Services, fake_engine: FakeEngine) -> None:
    from channels.base import InboundMessage, OutboundMessage, SendResult

    class NumberedChannel:
        name = "zalo"
        text_limit = 2000
        def __init__(self) -> None:
            self.sent: list[OutboundMessage] = []

        def verify(self, headers: object, body: bytes) -> None: ...
        def parse(self, body: bytes) -> list[InboundMessage]: return []

        async def send(self, external_user_id: str, message: OutboundMessage) -> SendResult:
            self.sent.append(message)
            return SendResult(ok=True, platform_message_ids=(f"p{len(self.sent)}",))

    adapter = NumberedChannel()
    first = InboundMessage(channel="zalo", external_user_id="u-digit", delivery_key="d1", text="vay von")
    await services.pipeline.receive(first, adapter)
    second = InboundMessage(channel="zalo", external_user_id="u-digit", delivery_key="d2", text="1")
    outcome = await services.pipeline.receive(second, adapter)

    assert fake_engine.requests[-1]["message"] == '/choose_article{"article_id":"loan_22_2023.who"}'
    assert outcome is not None and outcome.replies[-1].meta["article_id"] == "loan_22_2023.who"
    messages = await transcript(services, outcome.conversation.id)
    outgoing = [m for m in messages if m.direction == "outgoing"]
    assert all(m.delivery_status == "sent" for m in outgoing)
    assert outgoing[0].platform_message_id == "p1"


async def test_failed_send_is_marked_on_the_message(services: Services) -> None:
    from channels.base import InboundMessage, OutboundMessage, SendResult

    class BrokenChannel:
        name = "telegram"
        text_limit = 4096

        def verify(self, headers: object, body: bytes) -> None: ...
        def parse(self, body: bytes) -> list[InboundMessage]: return []

        async def send(self, external_user_id: str, message: OutboundMessage) -> SendResult:
            return SendResult(ok=False, error="Forbidden: bot was blocked by the user")

    inbound = InboundMessage(channel="telegram", external_user_id="42", delivery_key="u1", text="xin chao")
    outcome = await services.pipeline.receive(inbound, BrokenChannel())

    assert outcome is not None
    messages = [m for m in await transcript(services, outcome.conversation.id) if m.direction == "outgoing"]
    assert messages and all(m.delivery_status == "failed" for m in messages)
    assert messages[0].external_error == "Forbidden: bot was blocked by the user"
