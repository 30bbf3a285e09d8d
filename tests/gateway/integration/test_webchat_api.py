"""POST /api/v1/chat as shared/PRODUCT.md fixes it, through the whole pipeline and a fake engine."""
from __future__ import annotations

import httpx
import pytest

from bot.topics import TOPICS
from tests.gateway.fakes.engine import FakeEngine


def answers(body: dict) -> list[dict]:
    """The bot's messages, without the gateway's own notices (consent, waiting …)."""
    return [m for m in body["messages"] if m["meta"].get("kind") == "answer"]


async def chat(client: httpx.AsyncClient, sender: str, text: str | None = None, payload: str | None = None) -> dict:
    response = await client.post("/api/v1/chat", json={"sender_id": sender, "text": text, "payload": payload})
    assert response.status_code == 200, response.text
    return response.json()


async def test_answer_has_the_contract_shape(client: httpx.AsyncClient, fake_engine: FakeEngine) -> None:
    body = await chat(client, "web-1", "vay von 22/2023 lai suat bao nhieu")

    assert set(body) == {"conversation", "messages"}
    conversation = body["conversation"]
    assert conversation["status"] == "bot" and conversation["priority"] == "normal"
    assert conversation["officer"] is None and conversation["id"]
    first = answers(body)[0]
    assert first["meta"]["topic"] == "loan_22_2023" and first["meta"]["topic"] in TOPICS
    assert first["meta"]["article_id"] == "loan_22_2023.interest"
    assert first["meta"]["sources"][0]["document"] == "Quyết định 22/2023/QĐ-TTg"
    assert first["meta"]["sources"][0]["article"] == "Điều 9"
    assert "url" in first["meta"]["sources"][0]
    last = answers(body)[-1]
    assert "Nguồn: Quyết định 22/2023/QĐ-TTg, Điều 9" in last["text"]
    assert last["buttons"][0] == {"title": "Ai được vay?",
                                  "payload": '/choose_article{"article_id":"loan_22_2023.who"}'}
    # The engine was asked with the conversation id as sender and the channel in the metadata.
    request = fake_engine.requests[-1]
    assert request["sender"] == conversation["id"]
    assert request["metadata"] == {"channel": "webchat", "audience": None}


async def test_consent_notice_comes_first_and_only_once(client: httpx.AsyncClient) -> None:
    first = await chat(client, "web-consent", "xin chao")
    second = await chat(client, "web-consent", "xin chao")

    kinds = [m["meta"]["kind"] for m in first["messages"]]
    assert kinds == ["consent", "answer"]
    assert "xóa dữ liệu của tôi" in first["messages"][0]["text"]
    assert "365 ngày" in first["messages"][0]["text"]
    assert [m["meta"]["kind"] for m in second["messages"]] == ["answer"]


async def test_button_payload_goes_to_the_engine(client: httpx.AsyncClient, fake_engine: FakeEngine) -> None:
    body = await chat(client, "web-btn", payload='/choose_article{"article_id":"loan_22_2023.who"}')

    assert fake_engine.requests[-1]["message"] == '/choose_article{"article_id":"loan_22_2023.who"}'
    assert answers(body)[0]["meta"]["article_id"] == "loan_22_2023.who"


async def test_history_shows_both_sides_in_order(client: httpx.AsyncClient) -> None:
    await chat(client, "web-hist", "xin chao")
    await chat(client, "web-hist", "vay von")

    response = await client.get("/api/v1/chat/web-hist/history")
    assert response.status_code == 200
    messages = response.json()["messages"]
    directions = [(m["direction"], m["meta"]["kind"]) for m in messages]
    assert directions[:3] == [("incoming", "text"), ("outgoing", "consent"), ("outgoing", "answer")]
    assert messages[3]["text"] == "vay von"
    ids = [m["id"] for m in messages]
    assert ids == sorted(ids)
    after = await client.get(f"/api/v1/chat/web-hist/history?after={ids[3]}")
    assert [m["id"] for m in after.json()["messages"]] == ids[4:]


async def test_history_of_unknown_sender_is_empty(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/chat/nobody-here/history")
    assert response.status_code == 200
    assert response.json() == {"conversation": None, "messages": []}


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"sender_id": "a", "text": "", "payload": None}, 422, "invalid_request"),
    ({"sender_id": "a"}, 422, "invalid_request"),
    ({"sender_id": "", "text": "hi"}, 422, "invalid_request"),
    ({"sender_id": "x" * 129, "text": "hi"}, 422, "invalid_request"),
    ({"sender_id": "bad id with spaces", "text": "hi"}, 422, "invalid_request"),
    ({"sender_id": "<script>", "text": "hi"}, 422, "invalid_request"),
    ({"sender_id": 123, "text": "hi"}, 422, "invalid_request"),
    ({"sender_id": "a", "text": "x" * 2001}, 422, "invalid_request"),
    ({"sender_id": "a", "text": ["list"]}, 422, "invalid_request"),
    ([1, 2, 3], 422, "invalid_request"),
])
async def test_bad_input_gets_4xx_json(client: httpx.AsyncClient, body: object, status: int, code: str) -> None:
    response = await client.post("/api/v1/chat", json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


async def test_broken_json_gets_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/chat", content=b'{"sender_id": "a", "text": ',
                                 headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


async def test_text_of_2000_characters_is_accepted(client: httpx.AsyncClient) -> None:
    body = await chat(client, "web-long", "a" * 2000)
    assert answers(body)


async def test_unknown_route_is_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_retried_message_id_is_answered_once(client: httpx.AsyncClient, fake_engine: FakeEngine) -> None:
    request = {"sender_id": "web-retry", "text": "vay von", "message_id": "m-1"}
    first = await client.post("/api/v1/chat", json=request)
    second = await client.post("/api/v1/chat", json=request)

    assert first.status_code == second.status_code == 200
    assert answers(first.json())
    assert second.json()["messages"] == []
    assert second.json()["conversation"]["id"] == first.json()["conversation"]["id"]
    assert fake_engine.messages_seen() == ["vay von"]
