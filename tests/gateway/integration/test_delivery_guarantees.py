"""De-duplication, order, rate limits, crash recovery: a message is stored once and answered once, in order."""
from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from channels.base import InboundMessage, OutboundMessage, SendResult
from gateway.db.models import InboundDelivery, Message
from gateway.services import Services
from tests.gateway.fakes.engine import FakeEngine, bubble


class Recorder:
    name = "telegram"
    text_limit = 4096

    def __init__(self) -> None:
        self.sent: list[str] = []

    def verify(self, headers: object, body: bytes) -> None: ...
    def parse(self, body: bytes) -> list[InboundMessage]: return []

    async def send(self, external_user_id: str, message: OutboundMessage) -> SendResult:
        self.sent.append(message.text)
        return SendResult(ok=True)


def inbound(key: str, text: str, user: str = "7") -> InboundMessage:
    return InboundMessage(channel="telegram", external_user_id=user, delivery_key=key, text=text)


async def count(services: Services, model: type, *where: object) -> int:
    async with services.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_duplicate_delivery_is_answered_once(services: Services, fake_engine: FakeEngine) -> None:
    adapter = Recorder()
    first = await services.pipeline.receive(inbound("upd-1", "xin chao"), adapter)
    again = await services.pipeline.receive(inbound("upd-1", "xin chao"), adapter)

    assert first is not None and again is None
    assert fake_engine.messages_seen() == ["xin chao"]
    assert await count(services, Message, Message.direction == "incoming") == 1
    assert await count(services, InboundDelivery) == 1


async def test_duplicate_is_caught_by_the_database_when_redis_forgot(services: Services,
                                                                      fake_engine: FakeEngine) -> None:
    adapter = Recorder()
    await services.pipeline.receive(inbound("upd-2", "xin chao"), adapter)
    await services.bus.forget_delivery("telegram", "upd-2")       # Redis lost its keys

    assert await services.pipeline.record(inbound("upd-2", "xin chao"), adapter) is None
    assert await count(services, Message, Message.direction == "incoming") == 1


async def test_concurrent_duplicates_store_one_message(services: Services) -> None:
    adapter = Recorder()
    results = await asyncio.gather(*(services.pipeline.record(inbound("upd-3", "hi"), adapter) for _ in range(5)))
    assert sum(r is not None for r in results) == 1
    assert await count(services, Message, Message.direction == "incoming") == 1


async def test_five_quick_messages_are_answered_in_order(client: httpx.AsyncClient, fake_engine: FakeEngine,
                                                         services: Services) -> None:
    await client.post("/api/v1/chat", json={"sender_id": "web-order", "text": "xin chao"})
    fake_engine.requests.clear()
    # Earlier messages take the engine longer, so answering out of order would show.
    fake_engine.delay = lambda message: {"echo 1": 0.4, "echo 2": 0.3, "echo 3": 0.2}.get(message, 0.0)

    async def send(n: int) -> httpx.Response:
        await asyncio.sleep(0.05 * n)       # arrive one after another, before any answer is ready
        return await client.post("/api/v1/chat", json={"sender_id": "web-order", "text": f"echo {n}"})

    responses = await asyncio.gather(*(send(n) for n in range(1, 6)))
    for n, response in enumerate(responses, start=1):
        own = [m["text"] for m in response.json()["messages"] if m["meta"]["kind"] == "answer"]
        assert own == [f"đáp: {n}"]       # each request carries its own message's answer

    # The promise: answered in the order the messages were stored (concurrent HTTP requests have no
    # other order), though earlier answers took the engine longer.
    history = (await client.get("/api/v1/chat/web-order/history")).json()["messages"]
    stored_order = [m["text"] for m in history if m["meta"]["kind"] == "text"][1:]
    answer_order = [m["text"] for m in history if m["meta"]["kind"] == "answer"][1:]
    assert sorted(stored_order) == [f"echo {n}" for n in range(1, 6)]
    assert fake_engine.messages_seen() == stored_order
    assert answer_order == [f"đáp: {text[5:]}" for text in stored_order]


async def test_flooding_gets_one_polite_reply_and_every_message_is_kept(services: Services,
                                                                         fake_engine: FakeEngine) -> None:
    services.pipeline.rate_limit_per_minute = 3
    adapter = Recorder()
    for n in range(6):
        await services.pipeline.receive(inbound(f"f{n}", f"echo {n}", user="flood"), adapter)

    assert fake_engine.messages_seen() == ["echo 0", "echo 1", "echo 2"]
    polite = [t for t in adapter.sent if "quá nhanh" in t]
    assert len(polite) == 1
    assert await count(services, Message, Message.direction == "incoming") == 6
    assert await count(services, Message, Message.external_error == "rate_limited") == 3


async def test_messages_left_unanswered_by_a_crash_are_answered_at_start(services: Services,
                                                                          fake_engine: FakeEngine) -> None:
    adapter = Recorder()
    services.pipeline.adapters["telegram"] = adapter
    recorded = await services.pipeline.record(inbound("c1", "vay von"), adapter)   # …then the process died
    assert recorded is not None and fake_engine.requests == []

    assert await services.pipeline.recover() == 1
    assert fake_engine.messages_seen() == ["vay von"]
    assert any("Nguồn:" in text for text in adapter.sent)
    assert await services.pipeline.recover() == 0


async def test_a_plain_text_engine_reply_counts_as_out_of_scope(client: httpx.AsyncClient,
                                                               fake_engine: FakeEngine) -> None:
    fake_engine.script = lambda sender, message, metadata: [bubble("x", "greeting")]
    response = await client.post("/api/v1/chat", json={"sender_id": "web-plain", "text": "hi"})
    assert response.json()["messages"][-1]["meta"]["topic"] == "greeting"
