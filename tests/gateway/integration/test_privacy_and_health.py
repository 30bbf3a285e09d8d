"""Deleting one's data, the retention purge, and /healthz."""
from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from gateway.db.models import Contact, ContactIdentity, Conversation, InboundDelivery, Message, utcnow
from gateway.privacy import CONFIRM_PAYLOAD, purge_expired
from gateway.services import Services
from tests.gateway.fakes.engine import FakeEngine
from tests.gateway.integration.test_webchat_api import chat


async def rows(services: Services, model: type) -> int:
    async with services.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_delete_my_data_asks_then_deletes_everything(client: httpx.AsyncClient, services: Services,
                                                           fake_engine: FakeEngine) -> None:
    await chat(client, "web-del", "vay von")
    await chat(client, "web-other", "xin chao")          # someone else's data stays
    asked = await chat(client, "web-del", "xoa du lieu cua toi")

    assert asked["messages"][0]["meta"]["kind"] == "privacy"
    assert [b["title"] for b in asked["messages"][0]["buttons"]] == ["Có, xóa hết", "Không"]
    assert fake_engine.messages_seen() == ["vay von", "xin chao"]     # never sent to the engine
    assert await rows(services, Contact) == 2

    done = await chat(client, "web-del", "có")
    assert "Đã xóa" in done["messages"][0]["text"]
    assert await rows(services, Contact) == 1
    assert await rows(services, ContactIdentity) == 1
    assert await rows(services, Conversation) == 1
    async with services.database.sessions() as session:
        left = list(await session.scalars(select(Message.text)))
    assert "vay von" not in left and "xoa du lieu cua toi" not in left and "xin chao" in left
    history = await client.get("/api/v1/chat/web-del/history")
    assert history.json() == {"conversation": None, "messages": []}

    # Writing again starts afresh, consent notice included.
    again = await chat(client, "web-del", "xin chao")
    assert again["messages"][0]["meta"]["kind"] == "consent"


async def test_saying_no_keeps_the_data(client: httpx.AsyncClient, services: Services) -> None:
    await chat(client, "web-keep", "xóa dữ liệu của tôi")
    kept = await chat(client, "web-keep", "không")
    assert "giữ nguyên" in kept["messages"][0]["text"]
    assert await rows(services, Contact) == 1


async def test_a_yes_without_a_question_deletes_nothing(client: httpx.AsyncClient, services: Services) -> None:
    await chat(client, "web-yes", "xin chao")
    body = await chat(client, "web-yes", "co")
    assert all(m["meta"]["kind"] != "privacy" for m in body["messages"])
    late_button = await chat(client, "web-yes", payload=CONFIRM_PAYLOAD)
    assert late_button["messages"][0]["meta"]["kind"] == "privacy"      # asks first
    assert await rows(services, Contact) == 1


async def test_deletion_works_while_an_officer_has_the_conversation(client: httpx.AsyncClient,
                                                                    services: Services) -> None:
    await chat(client, "web-del-human", "gap can bo")
    await chat(client, "web-del-human", "xoa du lieu cua toi")
    await chat(client, "web-del-human", payload=CONFIRM_PAYLOAD)
    assert await rows(services, Contact) == 0


async def test_retention_purge_deletes_only_old_data(client: httpx.AsyncClient, services: Services) -> None:
    await chat(client, "web-old", "xin chao")
    await chat(client, "web-new", "xin chao")
    old = utcnow() - timedelta(days=400)
    async with services.database.sessions() as session:
        identity = await session.scalar(select(ContactIdentity).where(ContactIdentity.external_id == "web-old"))
        assert identity is not None
        conversation = await session.scalar(select(Conversation).where(
            Conversation.contact_id == identity.contact_id))
        assert conversation is not None
        conversation.last_activity_at = old
        contact = await session.get_one(Contact, identity.contact_id)
        contact.created_at = old
        for message in await session.scalars(select(Message).where(Message.conversation_id == conversation.id)):
            message.created_at = old
        for delivery in await session.scalars(select(InboundDelivery)):
            delivery.created_at = old
        await session.commit()
    before = await rows(services, Message)

    purged = await purge_expired(services.database, retention_days=365)

    assert purged.messages == before - await rows(services, Message) and purged.messages >= 3
    assert purged.conversations == 1 and purged.contacts == 1
    assert await rows(services, Contact) == 1


async def test_healthz_ok_when_everything_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["parts"]["engine"] == "ok"


async def test_healthz_names_the_part_that_is_down(client: httpx.AsyncClient, fake_engine: FakeEngine) -> None:
    fake_engine.down = True
    response = await client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["engine", "actions"]
    assert body["parts"]["gateway"] == "ok"


async def test_openapi_is_published(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/chat" in response.json()["paths"]
