"""An officer's reply: checked (holder, status, the platform's reply window), stored, sent, status kept.

Reply windows (shared/channels_reference.md): Messenger 24 h after the person's last message (7 days with
MESSENGER_HUMAN_AGENT, see channels/messenger.py); Zalo OA free for 48 h, allowed up to 7 days; Telegram,
Zalo Bot and the web chat have none. Past the window
the platform would refuse (or bill) the message, so the console blocks it and says why.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from channels.base import ChannelAdapter, OutboundMessage, SendResult
from gateway.conversations import repository
from gateway.db.models import Conversation, Message, Officer, utcnow
from gateway.services import Services

log = logging.getLogger(__name__)

# Used when the adapter (or the stored column) does not say: the platforms' documented windows.
KNOWN_WINDOWS: dict[str, timedelta] = {"messenger": timedelta(hours=24), "zalo_oa": timedelta(days=7)}
FREE_WINDOWS: dict[str, timedelta] = {"zalo_oa": timedelta(hours=48)}
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "zalo_oa": "Zalo OA", "messenger": "Messenger",
                 "webchat": "trang web"}


@dataclass(frozen=True)
class ReplyWindow:
    closes_at: datetime | None           # None: the channel has no window
    free_until: datetime | None = None   # Zalo OA: replies after this are billed

    def is_open(self, now: datetime) -> bool:
        return self.closes_at is None or now < self.closes_at

    def seconds_left(self, now: datetime) -> int | None:
        if self.closes_at is None:
            return None
        return max(0, int((self.closes_at - now).total_seconds()))


def reply_window(conversation: Conversation, adapter: ChannelAdapter | None) -> ReplyWindow:
    last = conversation.last_inbound_at
    closes_at = conversation.reply_window_closes_at
    if closes_at is None and last is not None:
        compute = getattr(adapter, "reply_window_closes_at", None)
        if callable(compute):
            closes_at = compute(last)
        elif conversation.channel in KNOWN_WINDOWS:
            closes_at = last + KNOWN_WINDOWS[conversation.channel]
    free = FREE_WINDOWS.get(conversation.channel)
    return ReplyWindow(closes_at, last + free if free is not None and last is not None else None)


def window_closed_reason(conversation: Conversation, window: ReplyWindow) -> str:
    name = CHANNEL_NAMES.get(conversation.channel, conversation.channel)
    when = window.closes_at.astimezone().strftime("%H:%M %d/%m/%Y") if window.closes_at else ""
    return (f"Không gửi được: {name} chỉ cho phép trả lời trong một thời hạn sau tin nhắn cuối của người dân "
            f"(đã hết lúc {when}). Hãy chờ người dân nhắn lại, hoặc liên hệ qua kênh khác.")


class ReplyRefusedError(Exception):
    """Raised when a reply may not be sent; `status` is the HTTP status, `code` a stable error code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def may_reply(officer: Officer, conversation: Conversation) -> None:
    """Only the officer holding the conversation, or an admin, writes to the person."""
    if conversation.status != "human":
        raise ReplyRefusedError(409, "not_with_officers",
                           "Cuộc trò chuyện đang do bot trả lời hoặc đã xong; hãy tiếp nhận trước khi trả lời.")
    if officer.role == "admin":
        return
    if conversation.officer_id is None:
        raise ReplyRefusedError(403, "not_claimed", "Hãy nhận cuộc trò chuyện trước khi trả lời.")
    if conversation.officer_id != officer.id:
        raise ReplyRefusedError(403, "held_by_another_officer",
                           "Cuộc trò chuyện đang do cán bộ khác phụ trách; chỉ trả lời được khi được chuyển cho bạn.")


async def send_reply(services: Services, conversation_id: str, officer: Officer, text: str) -> Message:
    """Store the reply (pending), send it through the person's channel, then store the outcome."""
    text = text.strip()
    if not text:
        raise ReplyRefusedError(422, "empty_reply", "Nội dung trả lời trống.")
    now = utcnow()
    async with services.pipeline.uow() as uow:
        conversation = await uow.session.scalar(
            select(Conversation).where(Conversation.id == conversation_id).with_for_update())
        if conversation is None:
            raise ReplyRefusedError(404, "not_found", "Không có cuộc trò chuyện này.")
        may_reply(officer, conversation)
        adapter = services.pipeline.adapters.get(conversation.channel)
        if adapter is None:
            raise ReplyRefusedError(409, "channel_off", "Kênh của người dân hiện không hoạt động; không gửi được.")
        window = reply_window(conversation, adapter)
        if not window.is_open(now):
            raise ReplyRefusedError(409, "reply_window_closed", window_closed_reason(conversation, window))
        external_id = await repository.external_id_of(uow.session, conversation.contact_id, conversation.channel)
        if external_id is None:
            raise ReplyRefusedError(409, "no_recipient", "Không tìm thấy tài khoản của người dân trên kênh này.")
        message = Message(conversation_id=conversation.id, direction="outgoing", author="officer",
                          officer_id=officer.id, private=False, text=text, kind="officer",
                          delivery_status="pending", created_at=now)
        uow.session.add(message)
        if conversation.first_reply_at is None:
            conversation.first_reply_at = now
        conversation.last_activity_at = now
        await uow.session.flush()
        uow.emit({"type": "message_created", "conversation_id": conversation.id, "message_id": message.id,
                  "direction": "outgoing", "author": "officer"})
        await uow.commit()

    result = await _send(adapter, external_id, text)
    async with services.pipeline.uow() as uow:
        stored = await uow.session.get_one(Message, message.id)
        stored.delivery_status = "sent" if result.ok else "failed"
        stored.external_error = None if result.ok else (result.error or "send_failed")[:500]
        if result.platform_message_ids:
            stored.platform_message_id = ",".join(result.platform_message_ids)[:200]
        uow.emit({"type": "message_updated", "conversation_id": conversation_id, "message_id": stored.id,
                  "delivery_status": stored.delivery_status})
        await uow.commit()
        return stored


async def _send(adapter: ChannelAdapter, external_id: str, text: str) -> SendResult:
    try:
        return await adapter.send(external_id, OutboundMessage(text, from_officer=True))
    except Exception as error:  # noqa: BLE001 — adapters should not raise; if one does, it is a failed send
        log.warning("officer reply failed: channel=%s error=%s", getattr(adapter, "name", "?"), type(error).__name__)
        return SendResult(ok=False, error=f"adapter_error: {type(error).__name__}")


async def add_note(services: Services, conversation_id: str, officer: Officer, text: str) -> Message:
    """A private note: stored in the transcript for officers, never sent."""
    text = text.strip()
    if not text:
        raise ReplyRefusedError(422, "empty_note", "Ghi chú trống.")
    async with services.pipeline.uow() as uow:
        conversation = await uow.session.get(Conversation, conversation_id)
        if conversation is None:
            raise ReplyRefusedError(404, "not_found", "Không có cuộc trò chuyện này.")
        note = Message(conversation_id=conversation_id, direction="activity", author="officer",
                       officer_id=officer.id, private=True, text=text, kind="note", delivery_status="not_sent",
                       created_at=utcnow())
        uow.session.add(note)
        await uow.session.flush()
        uow.emit({"type": "message_created", "conversation_id": conversation_id, "message_id": note.id,
                  "direction": "activity", "author": "officer", "private": True})
        await uow.commit()
        return note
