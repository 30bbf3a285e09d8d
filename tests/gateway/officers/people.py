"""How a person reaches the gateway in these tests: web chat, or a signed webhook of each platform."""
from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from gateway.db.models import Conversation, Message
from gateway.services import Services
from tests.gateway.fakes.engine import bubble, default_script, fold
from tests.gateway.fakes.messenger_server import FakeMessenger
from tests.gateway.fakes.messenger_server import signed_headers as messenger_signed
from tests.gateway.fakes.telegram_server import FakeTelegram
from tests.gateway.fakes.zalo_bot_server import FakeZaloBot
from tests.gateway.fakes.zalo_oa_server import APP_ID, FakeZaloOA
from tests.gateway.fakes.zalo_oa_server import signed_headers as zalo_oa_signed
from tests.gateway.officers.conftest import MESSENGER_SECRET, TELEGRAM_SECRET, ZALO_BOT_SECRET, ZALO_OA_SECRET_KEY

_ids = itertools.count(1)


async def chat(client: httpx.AsyncClient, sender: str, text: str | None = None,
               payload: str | None = None) -> dict[str, Any]:
    response = await client.post("/api/v1/chat", json={"sender_id": sender, "text": text, "payload": payload})
    assert response.status_code == 200, response.text
    return response.json()


def bot_answers(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in body["messages"] if m["meta"].get("kind") == "answer"]


@dataclass
class Person:
    """Someone writing on one platform; `received()` is what their platform delivered to them."""

    channel: str
    slug: str
    user: str
    body: Callable[[str], bytes]
    sign: Callable[[bytes], dict[str, str]]
    received: Callable[[], list[str]]

    async def write(self, client: httpx.AsyncClient, services: Services, text: str) -> None:
        raw = self.body(text)
        response = await client.post(f"/webhooks/{self.slug}", content=raw,
                                     headers={"Content-Type": "application/json", **self.sign(raw)})
        assert response.status_code == 200, response.text
        await services.pipeline.drain()


def on_telegram(fake: FakeTelegram, user: str = "4242") -> Person:
    def body(text: str) -> bytes:
        n = next(_ids)
        return json.dumps({"update_id": 50_000 + n, "message": {
            "message_id": n, "date": 1_764_000_000, "chat": {"id": int(user), "type": "private"},
            "from": {"id": int(user), "is_bot": False, "first_name": "Lan"}, "text": text}}).encode()
    return Person("telegram", "telegram", user, body, lambda b: {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
                  lambda: fake.sent_texts(user))


def on_zalo(fake: FakeZaloBot, user: str = "zalo-user-7") -> Person:
    def body(text: str) -> bytes:
        n = next(_ids)
        return json.dumps({"event_name": "message.text.received", "message": {
            "message_id": f"zm-{n}", "date": 1_764_000_000_000, "chat": {"id": user, "chat_type": "PRIVATE"},
            "from": {"id": user, "display_name": "Hùng", "is_bot": False}, "text": text}}).encode()
    return Person("zalo", "zalo", user, body, lambda b: {"X-Bot-Api-Secret-Token": ZALO_BOT_SECRET},
                  lambda: fake.sent_texts(user))


def on_zalo_oa(fake: FakeZaloOA, user: str = "oa-user-7") -> Person:
    def body(text: str) -> bytes:
        n = next(_ids)
        return json.dumps({"app_id": APP_ID, "event_name": "user_send_text", "timestamp": "1764000000000",
                           "sender": {"id": user}, "recipient": {"id": "oa-1"},
                           "message": {"msg_id": f"oa-{n}", "text": text}}, ensure_ascii=False).encode()
    return Person("zalo_oa", "zalo-oa", user, body, lambda b: zalo_oa_signed(b, ZALO_OA_SECRET_KEY),
                  lambda: fake.sent_texts(user))


def on_messenger(fake: FakeMessenger, user: str = "psid-7") -> Person:
    def body(text: str) -> bytes:
        n = next(_ids)
        return json.dumps({"object": "page", "entry": [{"id": "PAGE", "time": 1, "messaging": [{
            "sender": {"id": user}, "recipient": {"id": "PAGE"}, "timestamp": 1_764_000_000_000 + n,
            "message": {"mid": f"m_{n}", "text": text}}]}]}).encode()
    return Person("messenger", "messenger", user, body, lambda b: messenger_signed(b, MESSENGER_SECRET),
                  lambda: fake.sent_texts(user))


async def conversation_of(services: Services, channel: str) -> Conversation:
    async with services.database.sessions() as session:
        found = await session.scalar(select(Conversation).where(Conversation.channel == channel)
                                     .order_by(Conversation.created_at.desc()))
    assert found is not None
    return found


async def messages_of(services: Services, conversation_id: str) -> list[Message]:
    async with services.database.sessions() as session:
        return list(await session.scalars(select(Message).where(Message.conversation_id == conversation_id)
                                          .order_by(Message.id)))


class CountingEngine:
    """Plays the real actions' counters (actions/actions.py): after two misses in a row — two fallbacks, or
    two "Chưa đúng ý" — the bot offers an officer with a /handoff button, and /handoff then carries the
    reason of the misses. Everything else as the default fake engine."""

    OFFER = "Mình chưa giúp được bạn. Bạn có muốn gặp cán bộ không?"

    def __init__(self) -> None:
        self.fallbacks: dict[str, int] = {}
        self.not_helpful: dict[str, int] = {}

    def __call__(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        button = [{"title": "Gặp cán bộ", "payload": "/handoff"}]
        if message.startswith("/feedback") and "not_helpful" in message:
            self.not_helpful[sender] = self.not_helpful.get(sender, 0) + 1
            if self.not_helpful[sender] >= 2:
                return [bubble(self.OFFER, "out_of_scope", buttons=button)]
            return [bubble("Cảm ơn bạn, mình sẽ cố gắng hơn.", "out_of_scope")]
        if message == "/handoff":
            reason = ("fallback" if self.fallbacks.get(sender, 0) >= 2 else
                      "feedback" if self.not_helpful.get(sender, 0) >= 2 else "user_request")
            self.fallbacks[sender] = self.not_helpful[sender] = 0
            return [bubble("Mình đã chuyển câu hỏi cho cán bộ.", "handoff", article_id="handoff.request",
                           handoff={"reason": reason, "priority": "normal"})]
        answer = default_script(sender, message, metadata)
        if answer[0]["meta"]["topic"] == "out_of_scope" and not fold(message).startswith("echo"):
            self.fallbacks[sender] = self.fallbacks.get(sender, 0) + 1
            if self.fallbacks[sender] >= 2:
                return [bubble(self.OFFER, "out_of_scope", article_id="out_of_scope.offer_officer",
                               buttons=button)]
        else:
            self.fallbacks[sender] = 0
        return answer
