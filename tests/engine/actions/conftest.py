"""Fixtures for the action tests: a small fixture knowledge base, trackers, a dispatcher."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import knowledge_base
from actions import kb as kb_cache

FIXTURE_KB = Path(__file__).resolve().parent / "fixtures" / "kb"


@pytest.fixture()
def kb() -> Iterator[knowledge_base.KnowledgeBase]:
    loaded = knowledge_base.load(FIXTURE_KB)
    kb_cache.use(loaded)
    yield loaded
    kb_cache.use(None)


@pytest.fixture(autouse=True)
def unanswered_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes unanswered questions to its own file, never to var/."""
    path = tmp_path / "unanswered.jsonl"
    monkeypatch.setenv("UNANSWERED_PATH", str(path))
    return path


@pytest.fixture()
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


TrackerFactory = Callable[..., Tracker]


@pytest.fixture()
def make_tracker() -> TrackerFactory:
    def build(
        intent: str,
        text: str,
        *,
        confidence: float = 0.95,
        entities: dict[str, str] | None = None,
        slots: dict[str, Any] | None = None,
        ranking: list[tuple[str, float]] | None = None,
        history: list[str] | None = None,
    ) -> Tracker:
        """A tracker whose latest message is `text` classified as `intent`; `history` lists the
        person's earlier messages (oldest first)."""
        entity_list = [{"entity": name, "value": value} for name, value in (entities or {}).items()]
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": entity_list,
            "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [(intent, confidence)])],
        }
        events = [{"event": "user", "text": t, "parse_data": {}} for t in (history or [])]
        events.append({"event": "user", "text": text, "parse_data": latest})
        all_slots = {"last_topic": None, "last_article_id": None, "fallback_count": 0, "not_helpful_count": 0}
        all_slots.update(slots or {})
        return Tracker("test", all_slots, latest, events, False, None, None, "action_listen")

    return build

