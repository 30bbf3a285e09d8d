"""The trained model and the real actions together (tools.eval_answers.LocalEngine): what a person
sees, turn by turn. Needs the current model (`make test-engine` trains it first)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from actions import kb as kb_cache
from tools.eval_answers import LocalEngine
from tools.train import current_model_path


@pytest.fixture(scope="module")
def engine() -> Iterator[LocalEngine]:
    # ENGINE_MODEL: try another model (e.g. a quick experiment) without retraining.
    override = os.environ.get("ENGINE_MODEL")
    model = Path(override) if override else current_model_path()
    assert model is not None, "no model for the current inputs: run `make model`"
    kb_cache.use(None)  # the real knowledge base
    local = LocalEngine(model)
    yield local
    local.close()


def customs(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assert messages, "the bot said nothing"
    assert all("custom" in m for m in messages), messages
    return [m["custom"] for m in messages]


def test_policy_question_is_answered_with_its_source(engine: LocalEngine) -> None:
    replies = customs(engine.send("it-1", "lãi suất vay vốn cho người ra tù là bao nhiêu"))
    assert {r["meta"]["topic"] for r in replies} == {"loan_22_2023"}
    assert replies[-1]["text"].splitlines()[-1].startswith("Nguồn: ")
    assert replies[-1]["meta"]["article_id"] == "loan_22_2023.interest"


def test_follow_up_stays_in_topic(engine: LocalEngine) -> None:
    customs(engine.send("it-2", "nguoi ra tu co duoc vay von ngan hang chinh sach khong"))
    replies = customs(engine.send("it-2", "còn lãi suất thì sao?"))
    assert replies[0]["meta"]["topic"] == "loan_22_2023"


def test_button_payloads_work(engine: LocalEngine) -> None:
    replies = customs(engine.send("it-3", '/choose_article{"article_id":"judicial_record.where"}'))
    assert replies[-1]["meta"]["article_id"] == "judicial_record.where"
    thanks = customs(engine.send("it-3", '/feedback{"value":"helpful"}'))
    assert thanks[0]["meta"]["topic"] == "judicial_record"
    handoff = customs(engine.send("it-3", "/handoff"))
    assert handoff[0]["meta"]["topic"] == "handoff"
    assert handoff[0]["meta"]["handoff"] == {"reason": "user_request", "priority": "normal"}


def test_crisis_first_bubble_has_the_numbers(engine: LocalEngine) -> None:
    replies = customs(engine.send("it-4", "tôi không muốn sống nữa"))
    assert replies[0]["meta"]["topic"] == "crisis"
    assert "113" in replies[0]["text"] and "115" in replies[0]["text"]
    assert replies[0]["meta"]["handoff"] == {"reason": "crisis", "priority": "urgent"}
