"""The inbound pipeline: store first, then answer — in order, once, never dropped.

    recorded = await pipeline.record(inbound, adapter)     # None for a duplicate delivery
    outcome = await pipeline.answer(recorded, adapter)     # bot, officer queue, or an honest notice
    # or both at once: await pipeline.receive(inbound, adapter)

`record` stores the delivery key and the message before anything else (a webhook answers 200 after it).
`answer` runs under the conversation's lock and waits for earlier messages of the same conversation to
be answered first, so five quick messages are answered in the order they arrived.
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from channels.base import Button, ChannelAdapter, InboundMessage, OutboundMessage, SendResult
from gateway import handoff, privacy
from gateway.bus import Bus
from gateway.conversations import repository, texts
from gateway.conversations.unit_of_work import UnitOfWork
from gateway.db.models import Contact, Conversation, InboundDelivery, Message, utcnow
from gateway.db.session import Database
from gateway.engine import BotMessage, EngineClient, EngineUnavailable
from gateway.officers import hours as officer_hours
from gateway.officers import routing

log = logging.getLogger(__name__)

TURN_POLL_SECONDS = 0.05
TURN_WAIT_SECONDS = 60.0
RECOVERY_WINDOW = timedelta(hours=24)
_DIGIT = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


@dataclass(frozen=True)
class RecordedInbound:
    """A stored incoming message, ready to be answered."""

    message_id: int
    conversation_id: str
    contact_id: int
    channel: str
    external_user_id: str


@dataclass(frozen=True)
class Reply:
    """One message the person was sent in answer (stored unless it confirms their data was deleted)."""

    text: str
    buttons: tuple[dict[str, str], ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)
    message_id: int | None = None
    delivery_status: str = "pending"


@dataclass(frozen=True)
class ConversationView:
    id: str
    status: str
    priority: str
    officer: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "priority": self.priority, "officer": self.officer}


@dataclass(frozen=True)
class AnswerOutcome:
    conversation: ConversationView
    replies: tuple[Reply, ...]


@dataclass
class _Draft:
    """A reply decided during a turn, stored before it is sent."""

    text: str
    author: str
    kind: str
    buttons: tuple[dict[str, str], ...] = ()
    topic: str | None = None
    article_id: str | None = None
    sources: tuple[dict[str, Any], ...] = ()
    store: bool = True
    message: Message | None = None


def supports_buttons(adapter: ChannelAdapter) -> bool:
    """Channels without real buttons show them as numbered options; a typed digit then picks one."""
    return bool(getattr(adapter, "supports_buttons", False))


def button_for_digit(text: str | None, last_buttons: Sequence[Mapping[str, Any]] | None) -> str | None:
    """The payload of option N when the person typed just "N" after numbered options."""
    if not text or not last_buttons:
        return None
    match = _DIGIT.match(text)
    if match is None:
        return None
    index = int(match.group(1)) - 1
    if 0 <= index < len(last_buttons):
        return str(last_buttons[index].get("payload") or "") or None
    return None


class Pipeline:
    def __init__(self, *, database: Database, bus: Bus, engine: EngineClient, retention_days: int = 365,
                 rate_limit_per_minute: int = 20) -> None:
        self.database = database
        self.bus = bus
        self.engine = engine
        self.retention_days = retention_days
        self.rate_limit_per_minute = rate_limit_per_minute
        # Adapters by channel name, for crash recovery and for officers' replies.
        self.adapters: dict[str, ChannelAdapter] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.database.sessions, self.bus)

    # --- record ---------------------------------------------------------------------------
    async def record(self, inbound: InboundMessage, adapter: ChannelAdapter | None = None) -> RecordedInbound | None:
        """Store the delivery key and the message; None (and nothing else happens) for a duplicate."""
        try:
            first = await self.bus.first_delivery(inbound.channel, inbound.delivery_key)
        except Exception:  # noqa: BLE001 — Redis down: the unique row still guards
            log.warning("redis unavailable for de-duplication; relying on the database")
            first = True
        if not first:
            return None
        try:
            for attempt in range(3):
                try:
                    return await self._store_inbound(inbound, adapter)
                except IntegrityError:
                    if await self._delivery_seen(inbound):
                        return None
                    if attempt == 2:
                        raise
                    # A concurrent first message created the same identity: retry and find it.
                    await asyncio.sleep(0.05 * (attempt + 1))
        except Exception:
            await self._forget(inbound)
            raise
        return None

    async def _forget(self, inbound: InboundMessage) -> None:
        try:
            await self.bus.forget_delivery(inbound.channel, inbound.delivery_key)
        except Exception:  # noqa: BLE001 — the key expires by itself; the platform's retry waits until then
            log.warning("could not clear a de-duplication key: channel=%s", inbound.channel)

    async def _delivery_seen(self, inbound: InboundMessage) -> bool:
        async with self.database.sessions() as session:
            found = await session.scalar(select(InboundDelivery.id).where(
                InboundDelivery.channel == inbound.channel, InboundDelivery.delivery_key == inbound.delivery_key))
        return found is not None

    async def _store_inbound(self, inbound: InboundMessage, adapter: ChannelAdapter | None) -> RecordedInbound:
        now = utcnow()
        async with self.uow() as uow:
            uow.session.add(InboundDelivery(channel=inbound.channel, delivery_key=inbound.delivery_key,
                                            created_at=now))
            await uow.session.flush()
            contact, conversation = await repository.find_or_create_conversation(
                uow.session, channel=inbound.channel, external_id=inbound.external_user_id,
                display_name=inbound.display_name, now=now)
            message = Message(conversation_id=conversation.id, direction="incoming", author="contact",
                              private=False, text=inbound.text, payload=inbound.payload,
                              kind=inbound.kind, delivery_status="received",
                              platform_message_id=inbound.platform_message_id, created_at=now)
            uow.session.add(message)
            conversation.last_inbound_at = now
            conversation.last_activity_at = now
            window = getattr(adapter, "reply_window_closes_at", None)
            if window is not None:
                # Each message from the person reopens the platform's window for officers' replies.
                conversation.reply_window_closes_at = window(now)
            await uow.session.flush()
            uow.emit({"type": "message_created", "conversation_id": conversation.id, "message_id": message.id,
                      "direction": "incoming", "author": "contact"})
            await uow.commit()
            return RecordedInbound(message.id, conversation.id, contact.id, inbound.channel,
                                   inbound.external_user_id)

    # --- answer ---------------------------------------------------------------------------
    async def receive(self, inbound: InboundMessage, adapter: ChannelAdapter) -> AnswerOutcome | None:
        recorded = await self.record(inbound, adapter)
        if recorded is None:
            return None
        return await self.answer(recorded, adapter)

    def answer_in_background(self, recorded: RecordedInbound, adapter: ChannelAdapter) -> asyncio.Task[Any]:
        """For webhooks: answer after the 200 has gone out; `drain()` waits for these (shutdown, tests)."""
        task = asyncio.create_task(self.answer(recorded, adapter))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def answer(self, recorded: RecordedInbound, adapter: ChannelAdapter) -> AnswerOutcome:
        """Answer one stored message (never raises for engine or platform failures)."""
        deadline = time.monotonic() + TURN_WAIT_SECONDS
        try:
            while True:
                async with self.bus.conversation_lock(recorded.conversation_id, wait=TURN_WAIT_SECONDS):
                    if time.monotonic() >= deadline or not await self._earlier_pending(recorded):
                        return await self._turn(recorded, adapter)
                await asyncio.sleep(TURN_POLL_SECONDS)
        except Exception as error:
            log.exception("answer failed: conversation=%s error=%s", recorded.conversation_id,
                          type(error).__name__)
            return await self._fail_safe(recorded, adapter, "gateway_error")

    async def _earlier_pending(self, recorded: RecordedInbound) -> bool:
        async with self.database.sessions() as session:
            return await repository.earlier_unhandled(session, recorded.conversation_id, recorded.message_id,
                                                      utcnow())

    async def _turn(self, recorded: RecordedInbound, adapter: ChannelAdapter) -> AnswerOutcome:
        drafts: list[_Draft] = []
        async with self.uow() as uow:
            session = uow.session
            message = await session.get(Message, recorded.message_id)
            conversation = await session.get(Conversation, recorded.conversation_id)
            if message is None or conversation is None:      # deleted meanwhile
                return AnswerOutcome(ConversationView(recorded.conversation_id, "bot", "normal", None), ())
            if message.handled_at is not None:                # answered already (recovery, retry)
                return AnswerOutcome(await self._view(conversation), ())
            contact = await session.get_one(Contact, conversation.contact_id)
            now = utcnow()

            # 1. The person's data rights come before anything else, whoever has the conversation.
            pending = await self.bus.privacy_confirmation_pending(conversation.id)
            request = privacy.classify(message.text, message.payload, confirmation_pending=pending)
            if request is not None:
                return await self._privacy(uow, request, recorded, adapter, message, conversation, contact)
            if pending:
                await self.bus.take_privacy_confirmation(conversation.id)

            # 2. Flooding: stored, not answered (one polite notice per minute).
            count = await self._count(recorded)
            if count > self.rate_limit_per_minute:
                if count == self.rate_limit_per_minute + 1:
                    drafts.append(_Draft(texts.RATE_LIMITED, "system", "rate_limited"))
                message.external_error = "rate_limited"
                return await self._finish(uow, recorded, adapter, message, conversation, drafts, now)

            # 3. First contact: the consent notice goes before the first answer.
            if contact.consent_notified_at is None:
                drafts.append(_Draft(texts.consent_notice(self.retention_days), "system", "consent"))
                contact.consent_notified_at = now

            # 4. Who answers: the bot, or nobody but an honest notice while officers have it.
            if conversation.status == "resolved":
                await handoff.person_wrote_after_resolve(uow, conversation, now=now)
            if conversation.status == "human":
                await routing.ward_from_person(uow, conversation, contact, message.text, now=now)
                if not await repository.waiting_notice_sent(session, conversation):
                    drafts.append(self._waiting(now, conversation))
                return await self._finish(uow, recorded, adapter, message, conversation, drafts, now)
            if await repository.back_from_officers(session, conversation):
                # Say so when a person moves from a human back to automation (Meta's policy asks it too).
                drafts.append(_Draft(texts.BACK_TO_BOT, "system", "back_to_bot"))

            engine_text = self._engine_text(message, conversation, adapter)
            if engine_text is None:
                drafts.append(_Draft(texts.UNSUPPORTED_MESSAGE, "system", "unsupported"))
                return await self._finish(uow, recorded, adapter, message, conversation, drafts, now)
            try:
                bot_messages = await self.engine.send(
                    conversation.id, engine_text,
                    {"channel": recorded.channel, "audience": contact.audience})
            except EngineUnavailable as error:
                log.warning("engine unavailable: conversation=%s error=%s", conversation.id, error)
                message.external_error = "engine_unavailable"
                await self._escalate(uow, conversation, reason="engine_unavailable", priority="normal", now=now)
                drafts.append(_Draft(texts.ENGINE_UNAVAILABLE, "system", "engine_unavailable", topic="handoff"))
                return await self._finish(uow, recorded, adapter, message, conversation, drafts, utcnow())

            now = utcnow()
            drafts.extend(self._from_bot(bot_messages))
            conversation.last_buttons = next(
                (list(d.buttons) for d in reversed(drafts) if d.kind == "answer" and d.buttons), None)
            signal = next((m.handoff for m in bot_messages if m.handoff is not None), None)
            outcome = await self._finish(uow, recorded, adapter, message, conversation, drafts, now,
                                         handoff_signal=signal)
            return outcome

    @staticmethod
    async def _escalate(uow: UnitOfWork, conversation: Conversation, *, reason: str, priority: str,
                        now: datetime) -> None:
        """To the officers' queue, routed to the unit that serves the person's ward."""
        await routing.route_conversation(uow.session, conversation)
        await handoff.request_human(uow, conversation, reason=reason, priority=priority, now=now)

    @staticmethod
    def _waiting(now: datetime, conversation: Conversation) -> _Draft:
        return _Draft(officer_hours.waiting_notice(now, conversation.priority), "system", "waiting",
                      topic="handoff")

    def _engine_text(self, message: Message, conversation: Conversation, adapter: ChannelAdapter) -> str | None:
        if message.payload:
            return message.payload
        if not supports_buttons(adapter):
            chosen = button_for_digit(message.text, conversation.last_buttons)
            if chosen is not None:
                return chosen
        if message.text and message.text.strip():
            return message.text.strip()
        return None

    @staticmethod
    def _from_bot(bot_messages: Sequence[BotMessage]) -> list[_Draft]:
        return [_Draft(m.text, "bot", "answer", buttons=m.buttons, topic=m.topic, article_id=m.article_id,
                       sources=m.sources) for m in bot_messages if m.text]

    async def _count(self, recorded: RecordedInbound) -> int:
        try:
            return await self.bus.count_message(recorded.channel, recorded.external_user_id)
        except Exception:  # noqa: BLE001 — no rate limit beats no answer
            return 0

    async def _finish(self, uow: UnitOfWork, recorded: RecordedInbound, adapter: ChannelAdapter,
                      message: Message, conversation: Conversation, drafts: list[_Draft], now: datetime,
                      *, handoff_signal: Any = None) -> AnswerOutcome:
        """Store the replies (pending), mark the message handled, apply a handoff — one commit — then send."""
        if handoff_signal is not None:
            await self._escalate(uow, conversation, reason=handoff_signal.reason,
                                 priority=handoff_signal.priority, now=now)
            # Told in the same turn when an officer will answer, so nobody is left guessing.
            drafts.append(self._waiting(now, conversation))
            contact = await uow.session.get(Contact, conversation.contact_id)
            if contact is not None and not contact.ward and conversation.priority != "urgent":
                # The answer routes the conversation to the ward's unit (routing.ward_from_person). Not in a
                # crisis: the bot has already asked where the person is, and nothing may delay that.
                drafts.append(_Draft(texts.ASK_WARD, "system", "ask_ward", topic="handoff"))
        self._store_drafts(uow, conversation, drafts, now)
        message.handled_at = now
        conversation.last_activity_at = now
        await uow.session.flush()
        self._emit_created(uow, conversation.id, drafts)
        await uow.commit()
        view = await self._view(conversation)
        replies = await self._deliver(recorded, adapter, drafts)
        return AnswerOutcome(view, replies)

    @staticmethod
    def _store_drafts(uow: UnitOfWork, conversation: Conversation, drafts: list[_Draft], now: datetime) -> None:
        for draft in drafts:
            if not draft.store:
                continue
            draft.message = Message(
                conversation_id=conversation.id, direction="outgoing", author=draft.author, private=False,
                text=draft.text, buttons=list(draft.buttons) or None, topic=draft.topic,
                article_id=draft.article_id, sources=list(draft.sources) or None, kind=draft.kind,
                delivery_status="pending", created_at=now)
            uow.session.add(draft.message)

    @staticmethod
    def _emit_created(uow: UnitOfWork, conversation_id: str, drafts: list[_Draft]) -> None:
        for draft in drafts:
            if draft.message is not None:
                uow.emit({"type": "message_created", "conversation_id": conversation_id,
                          "message_id": draft.message.id, "direction": "outgoing", "author": draft.author})

    async def _view(self, conversation: Conversation) -> ConversationView:
        async with self.database.sessions() as session:
            name = await repository.officer_name(session, conversation.officer_id)
        return ConversationView(conversation.id, conversation.status, conversation.priority, name)

    async def _deliver(self, recorded: RecordedInbound, adapter: ChannelAdapter,
                       drafts: list[_Draft]) -> tuple[Reply, ...]:
        replies: list[Reply] = []
        for draft in drafts:
            result = await self._send(recorded.conversation_id, adapter, recorded.external_user_id,
                                      OutboundMessage(draft.text, tuple(Button(b["title"], b["payload"])
                                                                        for b in draft.buttons)))
            status = "sent" if result.ok else "failed"
            if draft.message is not None:
                await self._mark_delivery(draft.message.id, result)
            replies.append(Reply(draft.text, draft.buttons,
                                 {"topic": draft.topic, "article_id": draft.article_id,
                                  "sources": list(draft.sources), "kind": draft.kind},
                                 draft.message.id if draft.message is not None else None, status))
        return tuple(replies)

    @staticmethod
    async def _send(conversation_id: str, adapter: ChannelAdapter, external_user_id: str,
                    outbound: OutboundMessage) -> SendResult:
        try:
            result = await adapter.send(external_user_id, outbound)
        except Exception as error:  # noqa: BLE001 — adapters should not raise; if one does, record it
            result = SendResult(ok=False, error=f"adapter_error: {type(error).__name__}")
        if not result.ok:
            log.warning("send failed: conversation=%s channel=%s", conversation_id, getattr(adapter, "name", "?"))
        return result

    async def _mark_delivery(self, message_id: int | None, result: SendResult) -> None:
        async with self.database.sessions() as session:
            message = await session.get(Message, message_id)
            if message is None:
                return
            message.delivery_status = "sent" if result.ok else "failed"
            message.external_error = None if result.ok else (result.error or "send_failed")[:500]
            if result.platform_message_ids:
                message.platform_message_id = ",".join(result.platform_message_ids)[:200]
            await session.commit()

    # --- privacy --------------------------------------------------------------------------
    async def _privacy(self, uow: UnitOfWork, request: privacy.PrivacyRequest, recorded: RecordedInbound,
                       adapter: ChannelAdapter, message: Message, conversation: Conversation,
                       contact: Contact) -> AnswerOutcome:
        now = utcnow()
        if request is privacy.PrivacyRequest.ASK_DELETE:
            await self.bus.ask_privacy_confirmation(conversation.id)
            drafts = [_Draft(privacy.ASK_TEXT, "system", "privacy", buttons=privacy.ASK_BUTTONS)]
            return await self._finish(uow, recorded, adapter, message, conversation, drafts, now)
        await self.bus.take_privacy_confirmation(conversation.id)
        if request is privacy.PrivacyRequest.CANCEL:
            drafts = [_Draft(privacy.CANCELLED_TEXT, "system", "privacy")]
            return await self._finish(uow, recorded, adapter, message, conversation, drafts, now)
        deleted = await privacy.delete_contact_data(uow.session, contact.id)
        for conversation_id in deleted.conversation_ids:
            uow.emit({"type": "conversation_deleted", "conversation_id": conversation_id})
        await uow.commit()
        # Nothing of the person is left to store this in; it is only sent.
        drafts = [_Draft(privacy.DELETED_TEXT, "system", "privacy", store=False)]
        replies = await self._deliver(recorded, adapter, drafts)
        return AnswerOutcome(ConversationView(conversation.id, "bot", "normal", None), replies)

    # --- failure and recovery -------------------------------------------------------------
    async def _fail_safe(self, recorded: RecordedInbound, adapter: ChannelAdapter, error: str) -> AnswerOutcome:
        """Something broke mid-answer: flag the message, queue it for officers, tell the person honestly."""
        drafts = [_Draft(texts.ENGINE_UNAVAILABLE, "system", "engine_unavailable", topic="handoff")]
        try:
            async with self.uow() as uow:
                message = await uow.session.get(Message, recorded.message_id)
                conversation = await uow.session.get(Conversation, recorded.conversation_id)
                if message is None or conversation is None:
                    return AnswerOutcome(ConversationView(recorded.conversation_id, "bot", "normal", None), ())
                if message.handled_at is not None:
                    return AnswerOutcome(await self._view(conversation), ())
                message.external_error = error
                if handoff.state_of(conversation) in (handoff.State.BOT, handoff.State.RESOLVED):
                    await self._escalate(uow, conversation, reason="engine_unavailable", priority="normal",
                                         now=utcnow())
                return await self._finish(uow, recorded, adapter, message, conversation, drafts, utcnow())
        except Exception as second:  # noqa: BLE001
            log.error("fail-safe failed: conversation=%s error=%s", recorded.conversation_id, type(second).__name__)
            replies = await self._deliver(recorded, adapter, drafts)
            return AnswerOutcome(ConversationView(recorded.conversation_id, "human", "normal", None), replies)

    async def recover(self) -> int:
        """Answer incoming messages a crash left unanswered (status received, not handled), oldest first."""
        since = utcnow() - RECOVERY_WINDOW
        async with self.database.sessions() as session:
            rows = (await session.execute(
                select(Message.id, Message.conversation_id, Conversation.contact_id, Conversation.channel)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Message.direction == "incoming", Message.handled_at.is_(None),
                       Message.created_at >= since).order_by(Message.id))).all()
            pending = []
            for message_id, conversation_id, contact_id, channel in rows:
                external_id = await repository.external_id_of(session, contact_id, channel)
                if external_id is not None and channel in self.adapters:
                    pending.append(RecordedInbound(message_id, conversation_id, contact_id, channel, external_id))
        for recorded in pending:
            await self.answer(recorded, self.adapters[recorded.channel])
        if pending:
            log.info("recovered %d unanswered messages", len(pending))
        return len(pending)
