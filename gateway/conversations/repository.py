"""Reading and writing contacts, identities, conversations and messages (no business rules here)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import Contact, ContactIdentity, Conversation, Message, Officer

# An earlier message left unanswered longer than this is presumed orphaned (its answerer crashed);
# later messages stop waiting for it and crash recovery picks it up.
TURN_STALE_AFTER = timedelta(seconds=60)


async def find_identity(session: AsyncSession, channel: str, external_id: str) -> ContactIdentity | None:
    return await session.scalar(
        select(ContactIdentity).where(ContactIdentity.channel == channel,
                                      ContactIdentity.external_id == external_id))


async def external_id_of(session: AsyncSession, contact_id: int, channel: str) -> str | None:
    return await session.scalar(
        select(ContactIdentity.external_id).where(ContactIdentity.contact_id == contact_id,
                                                  ContactIdentity.channel == channel))


async def latest_conversation(session: AsyncSession, contact_id: int, channel: str) -> Conversation | None:
    return await session.scalar(
        select(Conversation).where(Conversation.contact_id == contact_id, Conversation.channel == channel)
        .order_by(Conversation.created_at.desc()).limit(1))


async def find_or_create_conversation(session: AsyncSession, *, channel: str, external_id: str,
                                      display_name: str | None, now: datetime) -> tuple[Contact, Conversation]:
    """The person's contact and their conversation on this channel, created on first contact.

    A concurrent first message may create the same identity: the unique constraint then fails the
    commit and the caller retries (and finds it).
    """
    identity = await find_identity(session, channel, external_id)
    if identity is None:
        contact = Contact(display_name=display_name, created_at=now)
        session.add(contact)
        await session.flush()
        session.add(ContactIdentity(contact_id=contact.id, channel=channel, external_id=external_id,
                                    created_at=now))
        conversation = None
    else:
        contact = await session.get_one(Contact, identity.contact_id)
        if display_name and not contact.display_name:
            contact.display_name = display_name
        conversation = await latest_conversation(session, contact.id, channel)
    if conversation is None:
        conversation = Conversation(contact_id=contact.id, channel=channel, status="bot", priority="normal",
                                    last_activity_at=now, created_at=now)
        session.add(conversation)
        await session.flush()
    return contact, conversation


async def earlier_unhandled(session: AsyncSession, conversation_id: str, message_id: int,
                            now: datetime) -> bool:
    """Whether an earlier incoming message of this conversation is still being answered."""
    count = await session.scalar(
        select(func.count()).select_from(Message).where(
            Message.conversation_id == conversation_id, Message.direction == "incoming",
            Message.id < message_id, Message.handled_at.is_(None),
            Message.created_at > now - TURN_STALE_AFTER))
    return bool(count)


async def waiting_notice_sent(session: AsyncSession, conversation: Conversation) -> bool:
    """Whether the person was already told, during this wait, that an officer will answer."""
    if conversation.waiting_since is None:
        return False
    count = await session.scalar(
        select(func.count()).select_from(Message).where(
            Message.conversation_id == conversation.id, Message.direction == "outgoing",
            Message.kind.in_(("waiting", "engine_unavailable")),
            Message.created_at >= conversation.waiting_since))
    return bool(count)


BACK_TO_BOT_KINDS = ("handoff.hand_back", "handoff.resolve", "handoff.person_wrote_after_resolve")


async def back_from_officers(session: AsyncSession, conversation: Conversation) -> bool:
    """Whether officers handed the conversation back and the person has not been told the bot answers again."""
    latest = await session.scalar(
        select(Message.kind).where(Message.conversation_id == conversation.id, Message.direction != "incoming")
        .order_by(Message.id.desc()).limit(1))
    return latest in BACK_TO_BOT_KINDS


async def officer_name(session: AsyncSession, officer_id: int | None) -> str | None:
    if officer_id is None:
        return None
    return await session.scalar(select(Officer.display_name).where(Officer.id == officer_id))


async def history(session: AsyncSession, conversation_id: str, *, after_id: int = 0,
                  limit: int = 200) -> list[Message]:
    """What the person may see: incoming and outgoing messages, never notes or activity."""
    rows = await session.scalars(
        select(Message).where(Message.conversation_id == conversation_id, Message.id > after_id,
                              Message.direction.in_(("incoming", "outgoing")), Message.private.is_(False))
        .order_by(Message.id).limit(limit))
    return list(rows)


def message_meta(message: Message) -> dict[str, Any]:
    return {"topic": message.topic, "article_id": message.article_id, "sources": list(message.sources or []),
            "kind": message.kind}
