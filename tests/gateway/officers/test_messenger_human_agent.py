"""With MESSENGER_HUMAN_AGENT=1 an officer answers a Messenger family days later, tagged HUMAN_AGENT;
the bot's own replies stay untagged (Meta forbids the tag on automation)."""
from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from gateway.db.models import Conversation, utcnow
from gateway.services import Services
from tests.gateway.fakes.messenger_server import FakeMessenger
from tests.gateway.officers.conftest import SignIn
from tests.gateway.officers.people import conversation_of, on_messenger


@pytest.fixture
def platforms_env(platforms_env: dict[str, str]) -> dict[str, str]:
    return {**platforms_env, "MESSENGER_HUMAN_AGENT": "1"}


async def test_officer_reply_three_days_later_goes_with_the_human_agent_tag(
        client: httpx.AsyncClient, services: Services, sign_in: SignIn, fake_messenger: FakeMessenger) -> None:
    person = on_messenger(fake_messenger)
    await person.write(client, services, "toi muon gap can bo")
    assert fake_messenger.delivered, "the bot answered first"
    assert all(b["messaging_type"] == "RESPONSE" and "tag" not in b for b in fake_messenger.delivered)

    conversation = await conversation_of(services, "messenger")
    async with services.database.sessions() as session:
        row = await session.get_one(Conversation, conversation.id)
        row.last_inbound_at = utcnow() - timedelta(days=3)   # a Friday-evening message, answered on Monday
        row.reply_window_closes_at = None
        await session.commit()
    officer = await sign_in("an")
    await officer.post(f"/conversations/{conversation.id}/claim")
    detail = (await officer.get(f"/conversations/{conversation.id}")).json()
    assert detail["reply_window"]["open"] is True and detail["can_reply"] is True

    sent = await officer.post(f"/conversations/{conversation.id}/messages", {"text": "Chào chị, em là cán bộ."})
    assert sent.status_code == 200
    last = fake_messenger.delivered[-1]
    assert last["message"]["text"] == "Chào chị, em là cán bộ."
    assert (last["messaging_type"], last["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
