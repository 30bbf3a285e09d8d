"""Ward -> unit for the former Phan Rang – Tháp Chàm city (five wards of Khánh Hòa since 01/7/2025),
and routing through the API: the queue shows the unit, officers see their unit, setting the ward moves it."""
from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from gateway.db.models import Contact, Conversation
from gateway.officers.routing import load_directory, route_conversation
from gateway.services import Services
from tests.gateway.officers.conftest import SignIn
from tests.gateway.officers.people import chat


@pytest.mark.parametrize(("written", "ward"), [
    ("Phường Kinh Dinh, TP Phan Rang - Tháp Chàm, Ninh Thuận", "Phan Rang"),   # underthesea
    ("phường Kinh Dinh", "Phan Rang"),
    ("phuong kinh dinh", "Phan Rang"),                                        # no diacritics: alias table
    ("em o kinh dinh", "Phan Rang"),
    ("Phủ Hà", "Phan Rang"),
    ("Mỹ Bình", "Đông Hải"),
    ("Đông Hải", "Đông Hải"),
    ("Thị trấn Khánh Hải, huyện Ninh Hải", "Ninh Chử"),
    ("van hai", "Ninh Chử"),
    ("xã Thành Hải", "Bảo An"),
    ("Xã Nhơn Sơn", "Đô Vinh"),
    ("p. Đô Vinh", "Đô Vinh"),
])
def test_old_and_new_names_resolve_to_the_new_ward(written: str, ward: str) -> None:
    assert load_directory().resolve_ward(written).ward == ward


@pytest.mark.parametrize("written", ["TP Phan Rang", "Phan Rang - Tháp Chàm", "huyện Ninh Hải"])
def test_names_wider_than_one_ward_ask_instead_of_guessing(written: str) -> None:
    match = load_directory().resolve_ward(written)
    assert match.ward is None and match.ambiguous and match.candidates
    assert load_directory().unit_for_ward(match.ward).code == "to_thncd"


@pytest.mark.parametrize("written", ["", "Phường Phúc Xá, Quận Ba Đình, TP Hà Nội", "không biết"])
def test_unknown_or_elsewhere_goes_to_the_default_unit(written: str) -> None:
    directory = load_directory()
    assert directory.unit_for_ward(directory.resolve_ward(written).ward).code == "to_thncd"


def test_each_of_the_five_wards_has_its_unit() -> None:
    directory = load_directory()
    assert sorted(directory.wards) == sorted(["Phan Rang", "Đông Hải", "Ninh Chử", "Bảo An", "Đô Vinh"])
    assert directory.unit_for_ward("Ninh Chử").code == "ca_ninh_chu"


async def set_ward(services: Services, conversation_id: str, ward: str) -> None:
    async with services.database.sessions() as session:
        conversation = await session.get_one(Conversation, conversation_id)
        contact = await session.get_one(Contact, conversation.contact_id)
        contact.ward = ward
        await session.commit()


async def test_an_escalation_is_routed_to_the_unit_of_the_persons_ward(client: httpx.AsyncClient,
                                                                       services: Services) -> None:
    first = await chat(client, "web-ward", "xin chao")
    await set_ward(services, first["conversation"]["id"], "phường Mỹ Hải")     # an old name of Đông Hải

    body = await chat(client, "web-ward", payload="/handoff")

    assert body["conversation"]["status"] == "human"
    async with services.database.sessions() as session:
        conversation = await session.get_one(Conversation, body["conversation"]["id"])
        assert conversation.unit_code == "ca_dong_hai"
        assert await route_conversation(session, conversation) == "ca_dong_hai"
        contact = await session.scalar(select(Contact).where(Contact.id == conversation.contact_id))
    assert contact is not None and contact.unit_code == "ca_dong_hai"


async def test_queue_shows_the_unit_and_officers_see_only_their_units(client: httpx.AsyncClient,
                                                                      services: Services, sign_in: SignIn) -> None:
    kinh_dinh = await chat(client, "web-kd", payload="/handoff")
    unknown = await chat(client, "web-unknown", payload="/handoff")
    phan_rang = await sign_in("pr", unit_code="ca_phan_rang")
    do_vinh = await sign_in("dv", unit_code="ca_do_vinh")
    intake = await sign_in("tn", unit_code="to_thncd")

    # Ward not known yet: both wait at the intake unit.
    seen_by_intake = {i["id"]: i for i in (await intake.get("/conversations")).json()}
    assert {kinh_dinh["conversation"]["id"], unknown["conversation"]["id"]} <= set(seen_by_intake)
    assert seen_by_intake[unknown["conversation"]["id"]]["unit_code"] == "to_thncd"

    # The ward becomes known (an old name): the conversation leaves intake for its ward's unit.
    await set_ward(services, kinh_dinh["conversation"]["id"], "phuong kinh dinh")
    async with services.database.sessions() as session:
        conversation = await session.get_one(Conversation, kinh_dinh["conversation"]["id"])
        assert await route_conversation(session, conversation) == "ca_phan_rang"
        await session.commit()
    items = {i["id"]: i for i in (await phan_rang.get("/conversations")).json()}
    assert items[kinh_dinh["conversation"]["id"]]["unit_name"] == "Công an phường Phan Rang"

    seen_by_do_vinh = [i["id"] for i in (await do_vinh.get("/conversations")).json()]
    assert kinh_dinh["conversation"]["id"] not in seen_by_do_vinh
    assert unknown["conversation"]["id"] not in seen_by_do_vinh
    assert (await do_vinh.post(f"/conversations/{kinh_dinh['conversation']['id']}/claim")).status_code == 404


async def test_officer_sets_the_ward_and_the_conversation_moves_to_that_unit(
        client: httpx.AsyncClient, services: Services, sign_in: SignIn) -> None:
    body = await chat(client, "web-set", payload="/handoff")
    officer = await sign_in("an")
    response = await officer.put(f"/conversations/{body['conversation']['id']}/ward", {"ward": "Thành Hải"})
    assert response.status_code == 200
    assert response.json() == {"ward": "Bảo An", "candidates": [], "unit_code": "ca_bao_an", "moved": True}
    detail = (await officer.get(f"/conversations/{body['conversation']['id']}")).json()
    assert detail["conversation"]["unit_code"] == "ca_bao_an" and detail["contact"]["ward"] == "Bảo An"
    assert any("Chuyển cho đơn vị ca_bao_an" in (m["text"] or "") for m in detail["messages"])
    ambiguous = await officer.put(f"/conversations/{body['conversation']['id']}/ward", {"ward": "TP Phan Rang"})
    assert ambiguous.json()["ward"] is None and "Đô Vinh" in ambiguous.json()["candidates"]


def _kinds(body: dict) -> list[str]:
    return [m["meta"].get("kind") for m in body["messages"]]


async def test_the_bot_asks_for_the_ward_and_the_answer_moves_the_conversation_to_its_unit(
        client: httpx.AsyncClient, services: Services, sign_in: SignIn) -> None:
    escalated = await chat(client, "web-ask", payload="/handoff")
    assert _kinds(escalated)[-2:] == ["waiting", "ask_ward"]
    conversation_id = escalated["conversation"]["id"]
    intake, phan_rang = await sign_in("tn", unit_code="to_thncd"), await sign_in("pr", unit_code="ca_phan_rang")
    assert conversation_id in [i["id"] for i in (await intake.get("/conversations")).json()]

    answered = await chat(client, "web-ask", "em o phuong kinh dinh a")      # an old ward name, no diacritics
    assert answered["conversation"]["status"] == "human"
    async with services.database.sessions() as session:
        conversation = await session.get_one(Conversation, conversation_id)
        contact = await session.get_one(Contact, conversation.contact_id)
    assert (contact.ward, conversation.unit_code) == ("Phan Rang", "ca_phan_rang")
    assert conversation_id in [i["id"] for i in (await phan_rang.get("/conversations")).json()]
    assert conversation_id not in [i["id"] for i in (await intake.get("/conversations")).json()]
    # Asked once: a later escalation of the same person does not ask again.
    assert "ask_ward" not in _kinds(await chat(client, "web-ask", "cam on"))


async def test_a_ward_already_known_or_a_crisis_is_not_asked(client: httpx.AsyncClient, services: Services) -> None:
    first = await chat(client, "web-known", "xin chao")
    await set_ward(services, first["conversation"]["id"], "Đông Hải")
    assert "ask_ward" not in _kinds(await chat(client, "web-known", payload="/handoff"))
    crisis = await chat(client, "web-crisis", "toi bi de doa")
    assert crisis["conversation"]["priority"] == "urgent" and "ask_ward" not in _kinds(crisis)


async def test_a_long_message_or_a_taken_conversation_is_not_rerouted(
        client: httpx.AsyncClient, services: Services, sign_in: SignIn) -> None:
    long = await chat(client, "web-long", payload="/handoff")
    await chat(client, "web-long", "hom qua em di qua kinh dinh thi gap lai may nguoi ban cu ru em lam an "
                                   "ma em so qua khong biet phai lam sao")
    taken = await chat(client, "web-taken", payload="/handoff")
    officer = await sign_in("tn", unit_code="to_thncd")
    assert (await officer.post(f"/conversations/{taken['conversation']['id']}/claim")).status_code == 200
    await chat(client, "web-taken", "phuong dong hai")
    async with services.database.sessions() as session:
        story = await session.get_one(Conversation, long["conversation"]["id"])
        assert (await session.get_one(Contact, story.contact_id)).ward is None
        assert story.unit_code == "to_thncd"
        claimed = await session.get_one(Conversation, taken["conversation"]["id"])
        assert (await session.get_one(Contact, claimed.contact_id)).ward == "Đông Hải"   # stored for the officer
        assert claimed.unit_code == "to_thncd" and claimed.officer_id == officer.officer.id  # but not moved
