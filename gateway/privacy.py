"""The person's data rights: the consent notice, "xóa dữ liệu của tôi", and retention.

    python -m gateway.privacy purge [--days N]     # delete messages older than DATA_RETENTION_DAYS

Nothing here logs message text or platform ids; counts only.
"""
from __future__ import annotations

import argparse
import asyncio
import enum
import logging
import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import Contact, ContactIdentity, Conversation, InboundDelivery, Message, utcnow
from gateway.db.session import Database

log = logging.getLogger(__name__)

ASK_PAYLOAD = "/delete_my_data"
CONFIRM_PAYLOAD = "/delete_my_data_confirm"
CANCEL_PAYLOAD = "/delete_my_data_cancel"

ASK_TEXT = ("Bạn muốn xóa toàn bộ tin nhắn và thông tin liên hệ của bạn khỏi hệ thống? "
            "Việc này không hoàn tác được. Trả lời “Có” để xóa, “Không” để giữ lại.")
ASK_BUTTONS = ({"title": "Có, xóa hết", "payload": CONFIRM_PAYLOAD},
               {"title": "Không", "payload": CANCEL_PAYLOAD})
DELETED_TEXT = ("Đã xóa toàn bộ tin nhắn và thông tin của bạn. "
                "Nếu bạn nhắn tiếp, cuộc trò chuyện sẽ bắt đầu lại từ đầu.")
CANCELLED_TEXT = "Đã hủy. Dữ liệu của bạn được giữ nguyên."


class PrivacyRequest(enum.Enum):
    ASK_DELETE = "ask_delete"
    CONFIRM = "confirm"
    CANCEL = "cancel"


def fold(text: str) -> str:
    """Lower case, no diacritics (đ → d), single spaces, no punctuation: how people type it."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


_DELETE = re.compile(
    r"^(?:(?:toi|minh|em|anh|chi|cho|hay|vui long|lam on|xin|muon|can|giup|\w+ oi)\s+)*"
    r"(?:xoa|xoa bo|xoa het|xoa sach|huy)\s+(?:het\s+|toan bo\s+|tat ca\s+)?"
    r"(?:du lieu|thong tin|tin nhan)(?:\s+ca nhan)?"
    r"(?:\s+(?:cua\s+)?(?:toi|minh|em|tui|tao))?(?:\s+(?:di|nhe|nha|giup|voi|a|ah))*$"
)
_YES = frozenset({"co", "co xoa", "co xoa het", "dong y", "xoa", "xoa di", "ok", "yes", "uh", "u", "vang",
                  "da", "da co", "co a", "chac chan"})
_NO = frozenset({"khong", "ko", "k", "khong xoa", "thoi", "huy", "no", "dung xoa", "khong a"})


def classify(text: str | None, payload: str | None, *, confirmation_pending: bool) -> PrivacyRequest | None:
    """Whether a message is a data-deletion request or the answer to its confirmation."""
    if payload == ASK_PAYLOAD:
        return PrivacyRequest.ASK_DELETE
    if payload == CONFIRM_PAYLOAD:
        return PrivacyRequest.CONFIRM if confirmation_pending else PrivacyRequest.ASK_DELETE
    if payload == CANCEL_PAYLOAD:
        return PrivacyRequest.CANCEL
    if not text:
        return None
    folded = fold(text)
    if _DELETE.match(folded):
        return PrivacyRequest.ASK_DELETE
    if confirmation_pending:
        if folded in _YES:
            return PrivacyRequest.CONFIRM
        if folded in _NO:
            return PrivacyRequest.CANCEL
    return None


@dataclass(frozen=True)
class DeletedData:
    conversation_ids: tuple[str, ...]
    messages: int


async def delete_contact_data(session: AsyncSession, contact_id: int) -> DeletedData:
    """Delete the person's messages, conversations, identities and contact (caller commits)."""
    conversation_ids = tuple(await session.scalars(
        select(Conversation.id).where(Conversation.contact_id == contact_id)))
    messages = 0
    if conversation_ids:
        result = await session.execute(delete(Message).where(Message.conversation_id.in_(conversation_ids)))
        messages = int(getattr(result, "rowcount", 0) or 0)
        await session.execute(delete(Conversation).where(Conversation.id.in_(conversation_ids)))
    await session.execute(delete(ContactIdentity).where(ContactIdentity.contact_id == contact_id))
    await session.execute(delete(Contact).where(Contact.id == contact_id))
    log.info("contact data deleted on request: conversations=%d messages=%d", len(conversation_ids), messages)
    return DeletedData(conversation_ids, messages)


@dataclass(frozen=True)
class Purged:
    messages: int
    deliveries: int
    conversations: int
    contacts: int


async def purge_expired(database: Database, *, retention_days: int, now: datetime | None = None) -> Purged:
    """Delete what is older than the retention period: messages, delivery keys, then what is left empty."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    async with database.sessions() as session:
        messages = await session.execute(delete(Message).where(Message.created_at < cutoff))
        deliveries = await session.execute(delete(InboundDelivery).where(InboundDelivery.created_at < cutoff))
        has_messages = exists().where(Message.conversation_id == Conversation.id)
        conversations = await session.execute(
            delete(Conversation).where(Conversation.last_activity_at < cutoff, ~has_messages))
        has_conversations = exists().where(Conversation.contact_id == Contact.id)
        contact_ids = list(await session.scalars(
            select(Contact.id).where(Contact.created_at < cutoff, ~has_conversations)))
        if contact_ids:
            await session.execute(delete(ContactIdentity).where(ContactIdentity.contact_id.in_(contact_ids)))
            await session.execute(delete(Contact).where(Contact.id.in_(contact_ids)))
        await session.commit()
    purged = Purged(int(getattr(messages, "rowcount", 0) or 0), int(getattr(deliveries, "rowcount", 0) or 0),
                    int(getattr(conversations, "rowcount", 0) or 0), len(contact_ids))
    log.info("retention purge: %s", purged)
    return purged


def main(argv: list[str] | None = None) -> int:
    from gateway.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m gateway.privacy")
    sub = parser.add_subparsers(dest="command", required=True)
    purge = sub.add_parser("purge", help="delete messages older than DATA_RETENTION_DAYS")
    purge.add_argument("--days", type=int, default=None, help="override DATA_RETENTION_DAYS")
    args = parser.parse_args(argv)
    settings = load_settings()
    days = args.days or settings.data_retention_days

    async def run() -> Purged:
        database = Database(settings.database_url)
        try:
            await database.start(wait_seconds=settings.db_wait_seconds)
            return await purge_expired(database, retention_days=days)
        finally:
            await database.dispose()

    purged = asyncio.run(run())
    print(f"purged (older than {days} days): {purged.messages} messages, {purged.deliveries} delivery keys, "
          f"{purged.conversations} conversations, {purged.contacts} contacts")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
