"""Officers' replies through the person's own platform: Telegram, Zalo Bot, Zalo OA, Messenger; who may reply;
reply windows; private notes; the audit log."""
from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from gateway.db.models import Conversation, utcnow
from gateway.officers.models import AuditEntry
from gateway.services import Services
from tests.gateway.fakes.engine import FakeEngine
from tests.gateway.fakes.messenger_server import FakeMessenger
from tests.gateway.fakes.telegram_server import FakeTelegram
from tests.gateway.fakes.zalo_bot_server import FakeZaloBot
from tests.gateway.fakes.zalo_oa_server import FakeZaloOA
from tests.gateway.officers.conftest import SignIn
from tests.gateway.officers.people import (
    Person,
    conversation_of,
    messages_of,
    on_messenger,
    on_telegram,
    on_zalo,
    on_zalo_oa,
)


@pytest.fixture
def people(fake_telegram: FakeTelegram, fake_zalo_bot: FakeZaloBot, fake_zalo_oa: FakeZaloOA,
           fake_messenger: FakeMessenger) -> dict[str, Person]:
    return {"telegram": on_telegram(fake_telegram), "zalo": on_zalo(fake_zalo_bot),
            "zalo_oa": on_zalo_oa(fake_zalo_oa), "messenger": on_messenger(fake_messenger)}


@pytest.mark.parametrize("channel", ["telegram", "zalo", "zalo_oa", "messenger"])
async def test_officer_reply_reaches_the_platform_and_resolve_gives_the_bot_back(
        client: httpx.AsyncClient, fake_engine: FakeEngine, services: Services, sign_in: SignIn,
        people: dict[str, Person], channel: str) -> None:
    person = people[channel]
    await person.write(client, services, "toi muon gap can bo")
    conversation = await conversation_of(services, channel)
    assert conversation.status == "human"
    asked = len(fake_engine.requests)
    await person.write(client, services, "co ai o do khong")
    assert len(fake_engine.requests) == asked, "the bot stays silent while officers have it"

    officer = await sign_in("an", display_name="Trần Văn An")
    queue = (await officer.get("/conversations")).json()
    assert [(i["id"], i["channel"]) for i in queue] == [(conversation.id, channel)]
    assert (await officer.post(f"/conversations/{conversation.id}/claim")).status_code == 200
    sent = await officer.post(f"/conversations/{conversation.id}/messages",
                              {"text": "Chào bạn, tôi là cán bộ An. Bạn cần giúp gì?"})

    assert sent.status_code == 200, sent.text
    assert sent.json()["delivery_status"] == "sent" and sent.json()["author"] == "officer"
    assert person.received()[-1] == "Chào bạn, tôi là cán bộ An. Bạn cần giúp gì?"
    detail = (await officer.get(f"/conversations/{conversation.id}")).json()
    assert detail["messages"][-1]["delivery_status"] == "sent"

    assert (await officer.post(f"/conversations/{conversation.id}/resolve")).status_code == 200
    await person.write(client, services, "vay von lai suat bao nhieu")
    assert len(fake_engine.requests) == asked + 1
    assert any("Quyết định 22/2023" in text for text in person.received())


async def test_a_failed_send_is_shown_with_the_platform_reason(
        client: httpx.AsyncClient, services: Services, sign_in: SignIn, people: dict[str, Person],
        fake_telegram: FakeTelegram) -> None:
    person = people["telegram"]
    await person.write(client, services, "toi muon gap can bo")
    conversation = await conversation_of(services, "telegram")
    officer = await sign_in("an")
    await officer.post(f"/conversations/{conversation.id}/claim")
    fake_telegram.script("sendMessage", 403, {"ok": False, "error_code": 403,
                                              "description": "Forbidden: bot was blocked by the user"}, times=5)
    sent = await officer.post(f"/conversations/{conversation.id}/messages", {"text": "Bạn còn đó không?"})
    assert sent.status_code == 200
    assert sent.json()["delivery_status"] == "failed"
    assert "blocked" in (sent.json()["external_error"] or "")


async def test_second_officer_cannot_reply_until_transferred(
        client: httpx.AsyncClient, services: Services, sign_in: SignIn, people: dict[str, Person]) -> None:
    person = people["telegram"]
    await person.write(client, services, "toi muon gap can bo")
    conversation = await conversation_of(services, "telegram")
    an, binh = await sign_in("an"), await sign_in("binh", display_name="Lê Bình")

    unclaimed = await an.post(f"/conversations/{conversation.id}/messages", {"text": "x"})
    assert unclaimed.status_code == 403 and unclaimed.json()["error"]["code"] == "not_claimed"
    await an.post(f"/conversations/{conversation.id}/claim")
    refused = await binh.post(f"/conversations/{conversation.id}/messages", {"text": "Tôi trả lời thay nhé"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "held_by_another_officer"
    assert "cán bộ khác" in refused.json()["error"]["message"]
    assert "Tôi trả lời thay nhé" not in person.received()
    # Nor may the second officer resolve or transfer it away.
    assert (await binh.post(f"/conversations/{conversation.id}/resolve")).status_code == 403

    moved = await an.post(f"/conversations/{conversation.id}/transfer", {"officer_id": binh.officer.id})
    assert moved.status_code == 200
    ok = await binh.post(f"/conversations/{conversation.id}/messages", {"text": "Tôi là Bình, tôi tiếp nhận."})
    assert ok.status_code == 200 and person.received()[-1] == "Tôi là Bình, tôi tiếp nhận."
    assert (await an.post(f"/conversations/{conversation.id}/messages", {"text": "y"})).status_code == 403
    # An admin may always step in.
    admin = await sign_in("chi", role="admin")
    stepped_in = await admin.post(f"/conversations/{conversation.id}/messages", {"text": "Quản trị hỗ trợ."})
    assert stepped_in.status_code == 200


@pytest.mark.parametrize(("channel", "age", "open_"), [
    ("messenger", timedelta(hours=23), True), ("messenger", timedelta(hours=25), False),
    ("zalo_oa", timedelta(days=3), True), ("zalo_oa", timedelta(days=8), False),
    ("telegram", timedelta(days=30), True),
])
async def test_reply_window_is_shown_and_enforced(
        client: httpx.AsyncClient, services: Services, sign_in: SignIn, people: dict[str, Person],
        channel: str, age: timedelta, open_: bool) -> None:
    person = people[channel]
    await person.write(client, services, "toi muon gap can bo")
    conversation = await conversation_of(services, channel)
    async with services.database.sessions() as session:
        row = await session.get_one(Conversation, conversation.id)
        row.last_inbound_at = utcnow() - age
        row.reply_window_closes_at = None
        await session.commit()
    officer = await sign_in("an")
    await officer.post(f"/conversations/{conversation.id}/claim")
    before = len(person.received())

    detail = (await officer.get(f"/conversations/{conversation.id}")).json()
    assert detail["reply_window"]["open"] is open_ and detail["can_reply"] is open_
    if channel == "telegram":
        assert detail["reply_window"]["closes_at"] is None
    if channel == "zalo_oa":
        assert detail["reply_window"]["free_until"] is not None
    sent = await officer.post(f"/conversations/{conversation.id}/messages", {"text": "Cán bộ trả lời đây."})
    if open_:
        assert sent.status_code == 200 and len(person.received()) == before + 1
    else:
        assert sent.status_code == 409
        assert sent.json()["error"]["code"] == "reply_window_closed"
        assert "thời hạn" in sent.json()["error"]["message"]
        assert len(person.received()) == before, "nothing may reach the platform past its window"


async def test_notes_are_private_and_never_sent(client: httpx.AsyncClient, services: Services, sign_in: SignIn,
                                                people: dict[str, Person]) -> None:
    person = people["telegram"]
    await person.write(client, services, "toi muon gap can bo")
    conversation = await conversation_of(services, "telegram")
    officer = await sign_in("an")
    await officer.post(f"/conversations/{conversation.id}/claim")
    before = list(person.received())
    note = await officer.post(f"/conversations/{conversation.id}/notes", {"text": "Đã gọi điện, hẹn thứ Hai."})
    assert note.status_code == 200 and note.json()["private"] is True
    assert person.received() == before
    stored = [m for m in await messages_of(services, conversation.id) if m.private]
    assert [m.text for m in stored] == ["Đã gọi điện, hẹn thứ Hai."] and stored[0].delivery_status == "not_sent"
    detail = (await officer.get(f"/conversations/{conversation.id}")).json()
    assert any(m["private"] and m["text"] == "Đã gọi điện, hẹn thứ Hai." for m in detail["messages"])


async def test_transcript_shows_bot_sources_and_activity(client: httpx.AsyncClient, services: Services,
                                                         sign_in: SignIn, people: dict[str, Person]) -> None:
    person = people["telegram"]
    await person.write(client, services, "vay von lai suat")
    await person.write(client, services, "toi muon gap can bo")
    conversation = await conversation_of(services, "telegram")
    officer = await sign_in("an")
    detail = (await officer.get(f"/conversations/{conversation.id}")).json()
    bot = [m for m in detail["messages"] if m["author"] == "bot" and m["sources"]]
    assert bot and bot[0]["sources"][0] == {"document": "Quyết định 22/2023/QĐ-TTg", "article": "Điều 9",
                                            "url": "https://vanban.chinhphu.vn/?pageid=27160&docid=208517"}
    assert any(m["direction"] == "activity" and "Chuyển cho cán bộ" in (m["text"] or "") for m in detail["messages"])
    assert detail["conversation"]["topic"] == "loan_22_2023"


async def test_audit_log_records_reads_claims_replies_exports(client: httpx.AsyncClient, services: Services,
                                                              sign_in: SignIn, people: dict[str, Person]) -> None:
    person = people["telegram"]
    await person.write(client, services, "toi muon gap can bo")
    conversation = await conversation_of(services, "telegram")
    officer = await sign_in("an")
    await officer.get(f"/conversations/{conversation.id}")
    await officer.post(f"/conversations/{conversation.id}/claim")
    await officer.post(f"/conversations/{conversation.id}/messages", {"text": "Chào bạn"})
    exported = await officer.get(f"/conversations/{conversation.id}/export")
    assert exported.status_code == 200 and exported.json()["conversation"]["id"] == conversation.id
    async with services.database.sessions() as session:
        rows = (await session.scalars(select(AuditEntry).where(AuditEntry.conversation_id == conversation.id)
                                      .order_by(AuditEntry.id))).all()
    actions = [r.action for r in rows]
    assert actions[:3] == ["read_conversation", "claim", "reply"] and "export" in actions
    assert all(r.username == "an" and r.officer_id == officer.officer.id for r in rows)
    # The log says who and what, never the text of the message.
    assert all("Chào bạn" not in str(r.detail) for r in rows)
