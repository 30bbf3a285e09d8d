"""Client of the engine's REST channel: POST {RASA_URL}/webhooks/rest/webhook.

Each bot message arrives as `{"recipient_id": ..., "custom": {"text", "buttons", "meta"}}`
(docs/architecture.md); a bare `text` message is read as topic out_of_scope.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

DEFAULT_TIMEOUT = 10.0
DEFAULT_CONNECT_TIMEOUT = 3.0
REST_PATH = "/webhooks/rest/webhook"
HANDOFF_REASONS = frozenset({"user_request", "fallback", "feedback", "crisis"})
PRIORITIES = ("low", "normal", "high", "urgent")


class EngineUnavailable(RuntimeError):
    """Raised when the engine cannot answer: connection refused, timeout, 5xx or a garbled reply."""


@dataclass(frozen=True)
class HandoffSignal:
    reason: str
    priority: str


@dataclass(frozen=True)
class BotMessage:
    text: str
    buttons: tuple[dict[str, str], ...] = ()
    topic: str = "out_of_scope"
    article_id: str | None = None
    sources: tuple[dict[str, Any], ...] = ()
    handoff: HandoffSignal | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


def _buttons(raw: object) -> tuple[dict[str, str], ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        return ()
    buttons = []
    for item in raw:
        if isinstance(item, Mapping) and item.get("title") and item.get("payload"):
            buttons.append({"title": str(item["title"]), "payload": str(item["payload"])})
    return tuple(buttons)


def _handoff(raw: object) -> HandoffSignal | None:
    if not isinstance(raw, Mapping):
        return None
    reason = str(raw.get("reason") or "user_request")
    priority = str(raw.get("priority") or "normal")
    if priority not in PRIORITIES:
        priority = "normal"
    if reason == "crisis":
        priority = "urgent"  # crisis is always urgent, whatever the action said
    return HandoffSignal(reason=reason, priority=priority)


def parse_bot_message(item: Mapping[str, Any]) -> BotMessage | None:
    """One REST channel item as a BotMessage; None for items with nothing to show or signal."""
    custom = item.get("custom")
    if isinstance(custom, Mapping):
        meta = custom.get("meta") if isinstance(custom.get("meta"), Mapping) else {}
        assert isinstance(meta, Mapping)
        sources = meta.get("sources") or ()
        text = str(custom.get("text") or "")
        handoff = _handoff(meta.get("handoff"))
        if not text and handoff is None:
            return None
        return BotMessage(
            text=text,
            buttons=_buttons(custom.get("buttons")),
            topic=str(meta.get("topic") or "out_of_scope"),
            article_id=str(meta["article_id"]) if meta.get("article_id") else None,
            sources=tuple(dict(s) for s in sources if isinstance(s, Mapping)),
            handoff=handoff,
            meta=dict(meta),
        )
    if item.get("text"):
        return BotMessage(text=str(item["text"]), buttons=_buttons(item.get("buttons")))
    return None


class EngineClient:
    """Talks to one engine base URL; one pooled httpx client for the gateway's lifetime."""

    def __init__(self, base_url: str, *, timeout: float = DEFAULT_TIMEOUT,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(DEFAULT_CONNECT_TIMEOUT, timeout)),
            transport=transport,
        )

    async def send(self, conversation_id: str, message: str,
                   metadata: Mapping[str, Any] | None = None) -> list[BotMessage]:
        """Ask the engine; the bot's messages in order. Raises EngineUnavailable."""
        body = {"sender": conversation_id, "message": message, "metadata": dict(metadata or {})}
        try:
            response = await self._client.post(REST_PATH, json=body)
        except httpx.HTTPError as error:
            raise EngineUnavailable(type(error).__name__) from error
        if response.status_code >= 400:
            raise EngineUnavailable(f"engine answered HTTP {response.status_code}")
        try:
            items = response.json()
        except ValueError as error:
            raise EngineUnavailable("engine answered with something that is not JSON") from error
        if not isinstance(items, list):
            raise EngineUnavailable("engine answered with something that is not a list")
        messages = [parse_bot_message(item) for item in items if isinstance(item, Mapping)]
        answered = [message for message in messages if message is not None]
        if not answered:
            # The engine swallows a failed action and answers []: for the person that is silence.
            raise EngineUnavailable("engine answered with no message (an action failed?)")
        return answered

    async def ready(self) -> bool:
        try:
            response = await self._client.get("/", timeout=3.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def aclose(self) -> None:
        await self._client.aclose()
