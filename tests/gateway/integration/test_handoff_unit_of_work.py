"""Each transition: columns, one activity message, events published only after the one commit."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from gateway import handoff
from gateway.conversations.unit_of_work import UnitOfWork
from gateway.db.models import Contact, Conversation, Message, Officer
from gateway.handoff import IllegalTransition
from gateway.services import Services


async def new_conversation(services: Services) -> str:
    async with services.database.sessions() as session:
        contact = Contact()
        session.add(contact)
        await session.flush()
        conversation = Conversation(contact_id=contact.id, channel="webchat", status="bot", priority="normal")
        session.add(conversation)
        officer = Officer(username="binh", display_name="Lê Bình", password_hash="x", role="officer",
                          active=True, failed_logins=0, unit_code="P1")
        session.add(officer)
        await session.commit()
        return conversation.id


async def test_request_human_then_claim_then_transfer_then_hand_back(services: Services) -> None:
    conversation_id = await new_conversation(services)
    events: list[dict] = []

    async with services.bus.subscribe() as stream:
        async def collect() -> None:
            async for event in stream:
                events.append(event)

        collector = asyncio.create_task(collect())
        await asyncio.sleep(0.05)
        await services.handoff.request_human(conversation_id, reason="user_request", priority="high")
        async with services.database.sessions() as session:
            officer_id = await session.scalar(select(Officer.id))
        await services.handoff.claim(conversation_id, officer_id)
        await services.handoff.transfer(conversation_id, unit_code="TUPHAP", by=officer_id)
        await services.handoff.hand_back(conversation_id)
        for _ in range(100):
            if sum(e["type"] == "message_created" for e in events) >= 4:
                break
            await asyncio.sleep(0.02)
        collector.cancel()

    async with services.database.sessions() as session:
        conversation = await session.get_one(Conversation, conversation_id)
        activity = list(await session.scalars(select(Message.text).where(
            Message.conversation_id == conversation_id, Message.direction == "activity").order_by(Message.id)))
    assert (conversation.status, conversation.officer_id, conversation.priority) == ("bot", None, "normal")
    assert conversation.unit_code == "TUPHAP"
    assert activity == [
        "Chuyển cho cán bộ (lý do: người dùng yêu cầu; ưu tiên: cao)",
        "Cán bộ Lê Bình nhận cuộc trò chuyện",
        "Chuyển cho đơn vị TUPHAP",
        "Trả cuộc trò chuyện lại cho bot (bởi hệ thống)",
    ]
    types = [e["type"] for e in events]
    assert types.count("message_created") == 4
    assert "assigned" in types and "priority_changed" in types
    status_events = [e for e in events if e["type"] == "status_changed"]
    assert [e["state"] for e in status_events] == ["waiting", "assigned", "waiting", "bot"]
    assert all(e["conversation_id"] == conversation_id for e in events)


async def test_illegal_transition_changes_nothing(services: Services) -> None:
    conversation_id = await new_conversation(services)
    with pytest.raises(IllegalTransition):
        await services.handoff.resolve(conversation_id)
    async with services.database.sessions() as session:
        conversation = await session.get_one(Conversation, conversation_id)
        count = len(list(await session.scalars(select(Message).where(Message.conversation_id == conversation_id))))
    assert conversation.status == "bot" and count == 0


async def test_nothing_is_published_without_commit(services: Services) -> None:
    conversation_id = await new_conversation(services)
    async with UnitOfWork(services.database.sessions, services.bus) as uow:
        conversation = await uow.session.get_one(Conversation, conversation_id)
        await handoff.request_human(uow, conversation, reason="crisis")
        assert conversation.priority == "urgent" and len(uow.events) >= 2
        # leaving without commit: rolled back
    async with services.database.sessions() as session:
        assert (await session.get_one(Conversation, conversation_id)).status == "bot"


async def test_second_claim_loses(services: Services) -> None:
    conversation_id = await new_conversation(services)
    await services.handoff.request_human(conversation_id, reason="fallback")
    async with services.database.sessions() as session:
        officer_id = await session.scalar(select(Officer.id))
    await services.handoff.claim(conversation_id, officer_id)
    with pytest.raises(IllegalTransition):
        await services.handoff.claim(conversation_id, officer_id)
