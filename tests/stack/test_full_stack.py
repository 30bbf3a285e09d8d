"""The whole system as a person meets it: engine, actions and gateway started as `make run` starts them."""
from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tools.stack import Stack, running_stack


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack() as running:
        yield running


def _answers(reply: dict) -> list[dict]:
    """Bot messages other than the one-time consent notice."""
    return [m for m in reply["messages"] if m["meta"].get("kind") != "consent"]


def test_loan_question_without_diacritics_gets_a_cited_answer(stack: Stack) -> None:
    reply = stack.chat(f"person-{uuid.uuid4().hex}", "vay von 22/2023 lai suat bao nhieu")

    answers = _answers(reply)
    assert reply["conversation"]["status"] == "bot"
    assert answers, reply
    assert {m["meta"]["topic"] for m in answers} == {"loan_22_2023"}
    assert answers[0]["meta"]["article_id"].startswith("loan_22_2023.")
    assert any("22/2023" in s["document"] for s in answers[-1]["meta"]["sources"])
    assert "Nguồn:" in answers[-1]["text"]


def test_crisis_goes_to_officers_at_once_and_the_bot_falls_silent(stack: Stack) -> None:
    sender = f"person-{uuid.uuid4().hex}"
    reply = stack.chat(sender, "tui ko muon song nua, moi thu qua met moi roi")

    answers = _answers(reply)
    assert reply["conversation"]["status"] == "human"
    assert reply["conversation"]["priority"] == "urgent"
    assert answers[0]["meta"]["topic"] == "crisis"
    assert "113" in answers[0]["text"] and "115" in answers[0]["text"]

    later = stack.chat(sender, "vay von 22/2023 lai suat bao nhieu")
    assert later["conversation"]["status"] == "human"
    assert all(m["meta"]["topic"] != "loan_22_2023" for m in later["messages"])


def test_bad_input_is_a_clear_4xx(stack: Stack) -> None:
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{stack.gateway_url}/api/v1/chat", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert 400 <= error.value.code < 500
    assert "error" in json.loads(error.value.read())
