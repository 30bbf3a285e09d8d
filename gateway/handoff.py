"""The handoff state machine: who answers a conversation — the bot, the officers' queue, one officer.

States live on two columns (docs/architecture.md): `status` and `officer_id`.

    BOT       status=bot
    WAITING   status=human, officer_id NULL   (in the officers' queue)
    ASSIGNED  status=human, officer_id set
    RESOLVED  status=resolved

`TRANSITIONS` is the whole table; anything else raises IllegalTransition. Each transition changes the
conversation, writes an `activity` message (Vietnamese, for the transcript) and emits events — all in
the caller's unit of work, committed once. The diagram is in docs/handoff.md.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from gateway.bus import Bus, Event
from gateway.conversations.unit_of_work import UnitOfWork
from gateway.db.models import Conversation, Message, Officer, utcnow
from gateway.db.session import Database

PRIORITIES = ("low", "normal", "high", "urgent")

REASON_TEXT = {
    "user_request": "người dùng yêu cầu",
    "fallback": "bot chưa hiểu câu hỏi",
    "feedback": "người dùng chưa hài lòng với câu trả lời",
    "crisis": "tình huống nguy hiểm, cần hỗ trợ ngay",
    "engine_unavailable": "hệ thống trả lời tự động bị gián đoạn",
    "officer": "cán bộ chủ động",
}
PRIORITY_TEXT = {"low": "thấp", "normal": "bình thường", "high": "cao", "urgent": "khẩn cấp"}


class State(enum.StrEnum):
    BOT = "bot"
    WAITING = "waiting"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"


class HandoffEvent(enum.StrEnum):
    REQUEST_HUMAN = "request_human"
    CLAIM = "claim"
    TAKE_OVER = "take_over"
    TRANSFER_TO_OFFICER = "transfer_to_officer"
    TRANSFER_TO_UNIT = "transfer_to_unit"
    RESOLVE = "resolve"
    HAND_BACK = "hand_back"
    PERSON_WROTE_AFTER_RESOLVE = "person_wrote_after_resolve"


TRANSITIONS: dict[tuple[State, HandoffEvent], State] = {
    (State.BOT, HandoffEvent.REQUEST_HUMAN): State.WAITING,
    (State.RESOLVED, HandoffEvent.REQUEST_HUMAN): State.WAITING,
    (State.WAITING, HandoffEvent.REQUEST_HUMAN): State.WAITING,        # asked again: priority may rise
    (State.WAITING, HandoffEvent.CLAIM): State.ASSIGNED,
    (State.BOT, HandoffEvent.TAKE_OVER): State.ASSIGNED,
    (State.RESOLVED, HandoffEvent.TAKE_OVER): State.ASSIGNED,
    (State.WAITING, HandoffEvent.TRANSFER_TO_OFFICER): State.ASSIGNED,
    (State.ASSIGNED, HandoffEvent.TRANSFER_TO_OFFICER): State.ASSIGNED,
    (State.WAITING, HandoffEvent.TRANSFER_TO_UNIT): State.WAITING,
    (State.ASSIGNED, HandoffEvent.TRANSFER_TO_UNIT): State.WAITING,
    (State.WAITING, HandoffEvent.RESOLVE): State.RESOLVED,
    (State.ASSIGNED, HandoffEvent.RESOLVE): State.RESOLVED,
    (State.WAITING, HandoffEvent.HAND_BACK): State.BOT,
    (State.ASSIGNED, HandoffEvent.HAND_BACK): State.BOT,
    (State.RESOLVED, HandoffEvent.PERSON_WROTE_AFTER_RESOLVE): State.BOT,
}


class IllegalTransition(Exception):
    """Raised when an event is not allowed from the conversation's current state."""

    def __init__(self, state: State, event: HandoffEvent, conversation_id: str | None = None) -> None:
        super().__init__(f"{event.value} is not allowed from {state.value}")
        self.state = state
        self.event = event
        self.conversation_id = conversation_id


class UnknownOfficer(LookupError):
    """Raised when a transition names an officer that does not exist or is inactive."""


def state_of(conversation: Conversation) -> State:
    if conversation.status == "bot":
        return State.BOT
    if conversation.status == "resolved":
        return State.RESOLVED
    return State.ASSIGNED if conversation.officer_id is not None else State.WAITING


def next_state(state: State, event: HandoffEvent) -> State:
    """The table lookup; raises IllegalTransition."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(state, event) from None


def higher_priority(current: str, wanted: str) -> str:
    """Priorities only rise while a conversation waits (a crisis is never lowered by a later ask)."""
    return max(current or "normal", wanted, key=lambda p: PRIORITIES.index(p) if p in PRIORITIES else 1)


@dataclass(frozen=True)
class Transition:
    conversation_id: str
    event: HandoffEvent
    before: State
    after: State
    activity: Message


def _officer_name(officer: Officer | None) -> str:
    return officer.display_name if officer is not None else "hệ thống"


async def _apply(uow: UnitOfWork, conversation: Conversation, event: HandoffEvent, text: str, *,
                 actor: Officer | None = None, now: datetime | None = None,
                 **changes: Any) -> Transition:
    before = state_of(conversation)
    try:
        after = next_state(before, event)
    except IllegalTransition as error:
        error.conversation_id = conversation.id
        raise
    now = now or utcnow()
    old = (conversation.status, conversation.officer_id, conversation.priority)
    for column, value in changes.items():
        setattr(conversation, column, value)
    conversation.last_activity_at = now
    activity = Message(conversation_id=conversation.id, direction="activity",
                       author="officer" if actor is not None else "system",
                       officer_id=actor.id if actor is not None else None, private=False, text=text,
                       kind=f"handoff.{event.value}", delivery_status="not_sent", created_at=now)
    uow.session.add(activity)
    await uow.session.flush()
    assert state_of(conversation) == after, "transition changed the columns inconsistently"

    base: Event = {"conversation_id": conversation.id}
    if old[0] != conversation.status or before != after:
        uow.emit(base | {"type": "status_changed", "status": conversation.status, "state": after.value,
                         "officer_id": conversation.officer_id, "priority": conversation.priority,
                         "unit_code": conversation.unit_code, "event": event.value})
    if old[1] != conversation.officer_id or event is HandoffEvent.TRANSFER_TO_UNIT:
        uow.emit(base | {"type": "assigned", "officer_id": conversation.officer_id,
                         "unit_code": conversation.unit_code})
    if old[2] != conversation.priority:
        uow.emit(base | {"type": "priority_changed", "priority": conversation.priority})
    uow.emit(base | {"type": "message_created", "message_id": activity.id, "direction": "activity",
                     "author": activity.author})
    return Transition(conversation.id, event, before, after, activity)


async def request_human(uow: UnitOfWork, conversation: Conversation, *, reason: str,
                        priority: str = "normal", now: datetime | None = None) -> Transition:
    """The person (or the bot, or a failure) asks for an officer: into the queue."""
    if priority not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r}")
    if reason == "crisis":
        priority = "urgent"
    now = now or utcnow()
    already_waiting = state_of(conversation) is State.WAITING
    new_priority = higher_priority(conversation.priority, priority) if already_waiting else \
        higher_priority("normal", priority)
    reason_text = REASON_TEXT.get(reason, reason)
    if already_waiting:
        text = f"Yêu cầu gặp cán bộ lần nữa (lý do: {reason_text}; ưu tiên: {PRIORITY_TEXT[new_priority]})"
        changes: dict[str, Any] = {"priority": new_priority}
        if PRIORITIES.index(new_priority) > PRIORITIES.index(conversation.priority):
            changes["handoff_reason"] = reason
    else:
        text = f"Chuyển cho cán bộ (lý do: {reason_text}; ưu tiên: {PRIORITY_TEXT[new_priority]})"
        changes = {"status": "human", "officer_id": None, "priority": new_priority,
                   "handoff_reason": reason, "waiting_since": now, "first_reply_at": None}
    return await _apply(uow, conversation, HandoffEvent.REQUEST_HUMAN, text, now=now, **changes)


async def claim(uow: UnitOfWork, conversation: Conversation, officer: Officer, *,
                now: datetime | None = None) -> Transition:
    """An officer takes a waiting conversation from the queue."""
    return await _apply(uow, conversation, HandoffEvent.CLAIM,
                        f"Cán bộ {officer.display_name} nhận cuộc trò chuyện", actor=officer, now=now,
                        officer_id=officer.id)


async def take_over(uow: UnitOfWork, conversation: Conversation, officer: Officer, *,
                    now: datetime | None = None) -> Transition:
    """An officer takes a conversation the bot is handling (or a resolved one) directly."""
    now = now or utcnow()
    return await _apply(uow, conversation, HandoffEvent.TAKE_OVER,
                        f"Cán bộ {officer.display_name} tiếp nhận cuộc trò chuyện từ bot", actor=officer,
                        now=now, status="human", officer_id=officer.id, handoff_reason="officer",
                        waiting_since=now, first_reply_at=None)


async def transfer(uow: UnitOfWork, conversation: Conversation, *, officer: Officer | None = None,
                   unit_code: str | None = None, by: Officer | None = None,
                   now: datetime | None = None) -> Transition:
    """Hand a conversation to another officer, or back to a unit's queue."""
    if (officer is None) == (unit_code is None):
        raise ValueError("transfer needs exactly one of officer or unit_code")
    if officer is not None:
        return await _apply(uow, conversation, HandoffEvent.TRANSFER_TO_OFFICER,
                            f"Chuyển cho cán bộ {officer.display_name}", actor=by, now=now,
                            officer_id=officer.id, unit_code=officer.unit_code or conversation.unit_code)
    return await _apply(uow, conversation, HandoffEvent.TRANSFER_TO_UNIT,
                        f"Chuyển cho đơn vị {unit_code}", actor=by, now=now, officer_id=None,
                        unit_code=unit_code)


async def resolve(uow: UnitOfWork, conversation: Conversation, *, by: Officer | None = None,
                  now: datetime | None = None) -> Transition:
    return await _apply(uow, conversation, HandoffEvent.RESOLVE,
                        f"Đã giải quyết xong (bởi {_officer_name(by)})", actor=by, now=now,
                        status="resolved", waiting_since=None)


async def hand_back(uow: UnitOfWork, conversation: Conversation, *, by: Officer | None = None,
                    now: datetime | None = None) -> Transition:
    return await _apply(uow, conversation, HandoffEvent.HAND_BACK,
                        f"Trả cuộc trò chuyện lại cho bot (bởi {_officer_name(by)})", actor=by, now=now,
                        status="bot", officer_id=None, priority="normal", waiting_since=None)


async def person_wrote_after_resolve(uow: UnitOfWork, conversation: Conversation, *,
                                     now: datetime | None = None) -> Transition:
    return await _apply(uow, conversation, HandoffEvent.PERSON_WROTE_AFTER_RESOLVE,
                        "Người dùng nhắn lại sau khi đã giải quyết; bot tiếp tục trả lời", now=now,
                        status="bot", officer_id=None, priority="normal", waiting_since=None)


class HandoffService:
    """The transitions by conversation id, each in its own unit of work (for the officer console).

    The conversation row is locked (SELECT … FOR UPDATE on PostgreSQL) so two officers claiming at once
    cannot both win: the second gets IllegalTransition.
    """

    def __init__(self, database: Database, bus: Bus) -> None:
        self.database = database
        self.bus = bus

    async def _run(self, conversation_id: str, step: Any, **kwargs: Any) -> Transition:
        async with UnitOfWork(self.database.sessions, self.bus) as uow:
            conversation = await uow.session.scalar(
                select(Conversation).where(Conversation.id == conversation_id).with_for_update())
            if conversation is None:
                raise LookupError(f"no conversation {conversation_id}")
            for name in ("officer", "by"):
                if isinstance(kwargs.get(name), int):
                    found = await uow.session.get(Officer, kwargs[name])
                    if found is None or not found.active:
                        raise UnknownOfficer(f"no active officer {kwargs[name]}")
                    kwargs[name] = found
            transition: Transition = await step(uow, conversation, **kwargs)
            await uow.commit()
            return transition

    async def request_human(self, conversation_id: str, *, reason: str, priority: str = "normal") -> Transition:
        return await self._run(conversation_id, request_human, reason=reason, priority=priority)

    async def claim(self, conversation_id: str, officer: Officer | int) -> Transition:
        return await self._run(conversation_id, claim, officer=officer)

    async def take_over(self, conversation_id: str, officer: Officer | int) -> Transition:
        return await self._run(conversation_id, take_over, officer=officer)

    async def transfer(self, conversation_id: str, *, officer: Officer | int | None = None,
                       unit_code: str | None = None, by: Officer | int | None = None) -> Transition:
        return await self._run(conversation_id, transfer, officer=officer, unit_code=unit_code, by=by)

    async def resolve(self, conversation_id: str, *, by: Officer | int | None = None) -> Transition:
        return await self._run(conversation_id, resolve, by=by)

    async def hand_back(self, conversation_id: str, *, by: Officer | int | None = None) -> Transition:
        return await self._run(conversation_id, hand_back, by=by)
