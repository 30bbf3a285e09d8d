"""Every way a conversation reaches the officers, end to end through POST /api/v1/chat and the console API:
crisis, the person asking, two fallbacks, two "Chưa đúng ý", and an officer taking over a live chat.
Each time: status becomes "human", the bot stays silent after, and resolve gives the bot back."""
from __future__ import annotations

import httpx
import pytest

from gateway.services import Services
from tests.gateway.fakes.engine import FakeEngine
from tests.gateway.officers.conftest import SignIn
from tests.gateway.officers.people import CountingEngine, bot_answers, chat, messages_of


async def assert_bot_silent_then_back_after_resolve(client: httpx.AsyncClient, fake_engine: FakeEngine,
                                                    sign_in: SignIn, sender: str, conversation_id: str) -> None:
    asked = len(fake_engine.requests)
    waiting = await chat(client, sender, "vay von lai suat bao nhieu")
    assert waiting["conversation"]["status"] == "human"
    assert bot_answers(waiting) == []
    assert len(fake_engine.requests) == asked, "the engine must not be asked while officers have it"

    officer = await sign_in("tiepnhan")
    assert (await officer.post(f"/conversations/{conversation_id}/claim")).status_code == 200
    reply = await officer.post(f"/conversations/{conversation_id}/messages", {"text": "Chào bạn, tôi là cán bộ An."})
    assert reply.status_code == 200 and reply.json()["delivery_status"] == "sent"
    assert (await officer.post(f"/conversations/{conversation_id}/resolve")).status_code == 200

    back = await chat(client, sender, "vay von lai suat bao nhieu")
    assert back["conversation"]["status"] == "bot"
    assert bot_answers(back)[0]["meta"]["topic"] == "loan_22_2023"
    assert len(fake_engine.requests) == asked + 1


async def test_crisis_is_urgent_at_once_and_tops_the_queue(client: httpx.AsyncClient, fake_engine: FakeEngine,
                                                         sign_in: SignIn) -> None:
    calm = await chat(client, "web-calm", "toi muon gap can bo")
    crisis = await chat(client, "web-crisis", "toi bi de doa, nguy hiem lam")

    assert crisis["conversation"]["status"] == "human" and crisis["conversation"]["priority"] == "urgent"
    officer = await sign_in("an")
    queue = (await officer.get("/conversations?view=queue")).json()
    # Urgent first even though the calm one has waited longer.
    assert [item["id"] for item in queue] == [crisis["conversation"]["id"], calm["conversation"]["id"]]
    assert queue[0]["handoff_reason"] == "crisis" and queue[0]["channel"] == "webchat"
    assert queue[0]["waiting_seconds"] >= 0
    await assert_bot_silent_then_back_after_resolve(client, fake_engine, sign_in, "web-crisis",
                                                    crisis["conversation"]["id"])


async def test_asking_for_an_officer(client: httpx.AsyncClient, fake_engine: FakeEngine, sign_in: SignIn) -> None:
    body = await chat(client, "web-ask", payload="/handoff")
    assert body["conversation"]["status"] == "human" and body["conversation"]["priority"] == "normal"
    await assert_bot_silent_then_back_after_resolve(client, fake_engine, sign_in, "web-ask", body["conversation"]["id"])


@pytest.mark.parametrize(("misses", "reason"), [
    (["abc xyz", "khong hieu gi het"], "fallback"),
    ([None, None], "feedback"),          # two taps on "Chưa đúng ý"
])
async def test_two_misses_in_a_row_offer_an_officer_and_the_tap_hands_off(
        client: httpx.AsyncClient, fake_engine: FakeEngine, sign_in: SignIn, services: Services,
        misses: list[str | None], reason: str) -> None:
    fake_engine.script = CountingEngine()
    sender = f"web-{reason}"
    first = await chat(client, sender, "vay von lai suat")
    assert first["conversation"]["status"] == "bot"
    replies = []
    for miss in misses:
        if miss is None:
            replies.append(await chat(client, sender, payload='/feedback{"value":"not_helpful"}'))
        else:
            replies.append(await chat(client, sender, miss))
    assert all(r["conversation"]["status"] == "bot" for r in replies), "offering is not escalating"
    offer = bot_answers(replies[-1])[-1]
    assert {"title": "Gặp cán bộ", "payload": "/handoff"} in offer["buttons"]

    tapped = await chat(client, sender, payload=offer["buttons"][0]["payload"])
    assert tapped["conversation"]["status"] == "human"
    officer = await sign_in("binh")
    item = next(i for i in (await officer.get("/conversations?view=queue")).json()
                if i["id"] == tapped["conversation"]["id"])
    assert item["handoff_reason"] == reason
    await assert_bot_silent_then_back_after_resolve(client, fake_engine, sign_in, sender, tapped["conversation"]["id"])


async def test_officer_takes_over_a_live_conversation(client: httpx.AsyncClient, fake_engine: FakeEngine,
                                                      sign_in: SignIn, services: Services) -> None:
    body = await chat(client, "web-live", "vay von lai suat")
    conversation_id = body["conversation"]["id"]
    officer = await sign_in("an", display_name="Trần Văn An")
    live = (await officer.get("/conversations?view=bot")).json()
    assert conversation_id in [item["id"] for item in live]

    taken = await officer.post(f"/conversations/{conversation_id}/take-over")
    assert taken.status_code == 200 and taken.json()["state"] == "assigned"
    asked = len(fake_engine.requests)
    after = await chat(client, "web-live", "alo co ai khong")
    assert after["conversation"]["status"] == "human" and after["conversation"]["officer"] == "Trần Văn An"
    assert bot_answers(after) == [] and len(fake_engine.requests) == asked

    reply = await officer.post(f"/conversations/{conversation_id}/messages", {"text": "Tôi là cán bộ An, tôi nghe."})
    assert reply.json()["delivery_status"] == "sent"
    texts = [m.text for m in await messages_of(services, conversation_id) if m.author == "officer"]
    assert "Tôi là cán bộ An, tôi nghe." in texts
    assert (await officer.post(f"/conversations/{conversation_id}/hand-back")).status_code == 200
    back = await chat(client, "web-live", "vay von lai suat")
    assert back["conversation"]["status"] == "bot" and bot_answers(back)
    assert len(fake_engine.requests) == asked + 1


async def test_claim_twice_is_refused_clearly(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    body = await chat(client, "web-twice", payload="/handoff")
    an, binh = await sign_in("an"), await sign_in("binh")
    conversation_id = body["conversation"]["id"]
    assert (await an.post(f"/conversations/{conversation_id}/claim")).status_code == 200
    second = await binh.post(f"/conversations/{conversation_id}/claim")
    assert second.status_code == 409
    assert "Cán bộ khác đã nhận" in second.json()["error"]["message"]
