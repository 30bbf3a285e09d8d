"""Parsing the engine's REST replies and mapping failures to EngineUnavailable (httpx.MockTransport)."""
from __future__ import annotations

import json

import httpx
import pytest

from gateway.conversations.pipeline import button_for_digit
from gateway.engine import EngineClient, EngineUnavailable, parse_bot_message


def client(handler: object) -> EngineClient:
    return EngineClient("http://engine.test", transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


async def test_custom_messages_are_parsed_in_order() -> None:
    seen: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=[
            {"recipient_id": "c1", "custom": {"text": "a", "buttons": [{"title": "T", "payload": "/p"}],
                                              "meta": {"topic": "loan_22_2023", "article_id": "x.y",
                                                       "sources": [{"document": "QĐ 22"}], "handoff": None}}},
            {"recipient_id": "c1", "custom": {"text": "b", "meta": {"topic": "crisis",
                                                                    "handoff": {"reason": "crisis",
                                                                                "priority": "high"}}}},
            {"recipient_id": "c1", "text": "plain"},
        ])

    engine = client(handler)
    messages = await engine.send("c1", "hello", {"channel": "zalo", "audience": "family"})
    await engine.aclose()

    assert seen == [{"sender": "c1", "message": "hello", "metadata": {"channel": "zalo", "audience": "family"}}]
    assert [m.text for m in messages] == ["a", "b", "plain"]
    assert messages[0].buttons == ({"title": "T", "payload": "/p"},)
    assert messages[0].sources == ({"document": "QĐ 22"},) and messages[0].handoff is None
    assert messages[1].handoff is not None and messages[1].handoff.priority == "urgent"   # crisis is urgent
    assert messages[2].topic == "out_of_scope"


@pytest.mark.parametrize("response", [httpx.Response(500), httpx.Response(503), httpx.Response(200, text="nope"),
                                      httpx.Response(200, json={"not": "a list"}),
                                      httpx.Response(200, json=[])])  # a failed action: Rasa answers []
async def test_bad_answers_mean_unavailable(response: httpx.Response) -> None:
    engine = client(lambda request: response)
    with pytest.raises(EngineUnavailable):
        await engine.send("c", "x")
    await engine.aclose()


async def test_connection_errors_and_timeouts_mean_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    for handler in (refuse, slow):
        engine = client(handler)
        with pytest.raises(EngineUnavailable):
            await engine.send("c", "x")
        await engine.aclose()


def test_empty_items_are_dropped() -> None:
    assert parse_bot_message({"recipient_id": "c"}) is None
    assert parse_bot_message({"custom": {"text": "", "meta": {}}}) is None


def test_typed_digits_pick_numbered_options() -> None:
    buttons = [{"title": "A", "payload": "/a"}, {"title": "B", "payload": "/b"}]
    assert button_for_digit("2", buttons) == "/b"
    assert button_for_digit(" 1. ", buttons) == "/a"
    assert button_for_digit("3", buttons) is None
    assert button_for_digit("12 tuổi", buttons) is None
    assert button_for_digit("1", None) is None
