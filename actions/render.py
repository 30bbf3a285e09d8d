"""Turn articles into the bot messages of docs/architecture.md (pure, no Rasa import).

One bot message = `{"text", "buttons", "meta"}`; a long answer is several bubbles, buttons go on the
last one, and the last bubble of a factual answer ends with its "Nguồn: … · cập nhật dd/mm/yyyy" line.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from actions import texts

MAX_BUBBLE = 600
HANDOFF_PAYLOAD = "/handoff"
HELPFUL_PAYLOAD = '/feedback{"value":"helpful"}'
NOT_HELPFUL_PAYLOAD = '/feedback{"value":"not_helpful"}'

Message = dict[str, Any]
Button = dict[str, str]


class SourceLike(Protocol):
    document: str
    article: str | None
    url: str | None


class ButtonLike(Protocol):
    title: str
    article: str | None
    action: str | None


class ArticleLike(Protocol):
    id: str
    topic: str
    title: str
    answer: tuple[str, ...]
    next_step: str | None
    office: str | None
    factual: bool
    sources: tuple[SourceLike, ...]
    reviewed_at: dt.date
    review_status: str
    buttons: tuple[ButtonLike, ...]


def choose_article_payload(article_id: str) -> str:
    return "/choose_article" + json.dumps({"article_id": article_id}, ensure_ascii=False, separators=(",", ":"))


def article_button(title: str, article_id: str) -> Button:
    return {"title": title, "payload": choose_article_payload(article_id)}


def handoff_button() -> Button:
    return {"title": texts.BUTTON_OFFICER, "payload": HANDOFF_PAYLOAD}


def feedback_buttons() -> list[Button]:
    return [
        {"title": texts.BUTTON_HELPFUL, "payload": HELPFUL_PAYLOAD},
        {"title": texts.BUTTON_NOT_HELPFUL, "payload": NOT_HELPFUL_PAYLOAD},
    ]


def split_bubble(text: str, limit: int = MAX_BUBBLE) -> list[str]:
    """Split a text into bubbles of at most `limit` characters, at paragraph, line, sentence or word
    boundaries (in that order of preference)."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    for separator in (r"\n\s*\n", r"\n", r"(?<=[.!?;:])\s+", r"\s+"):
        parts = [p for p in re.split(separator, text) if p.strip()]
        if len(parts) > 1:
            break
    else:  # one unbroken word longer than a bubble
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    joiner = "\n\n" if separator == r"\n\s*\n" else ("\n" if separator == r"\n" else " ")
    bubbles: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{joiner}{part}" if current else part
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            bubbles.append(current)
        if len(part) <= limit:
            current = part
        else:
            pieces = split_bubble(part, limit)
            bubbles.extend(pieces[:-1])
            current = pieces[-1]
    if current:
        bubbles.append(current)
    return bubbles


def format_date(value: dt.date | str | None) -> str | None:
    if value is None:
        return None
    date = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return date.strftime("%d/%m/%Y")


def iso_date(value: dt.date | str | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def sources_line(article: ArticleLike) -> str:
    """`Nguồn: <document>, <article>[, <article>][; <document>…] · cập nhật dd/mm/yyyy`."""
    grouped: dict[str, list[str]] = {}
    for source in article.sources:
        parts = grouped.setdefault(source.document, [])
        if source.article and source.article not in parts:
            parts.append(source.article)
    cited = "; ".join(", ".join([doc, *parts]) for doc, parts in grouped.items())
    line = f"Nguồn: {cited}"
    reviewed = format_date(article.reviewed_at)
    return f"{line} · cập nhật {reviewed}" if reviewed else line


def meta(
    topic: str,
    article: ArticleLike | None = None,
    *,
    handoff: dict[str, str] | None = None,
) -> dict[str, Any]:
    factual = article is not None and article.factual
    return {
        "topic": topic,
        "article_id": article.id if article is not None else None,
        "sources": (
            [{"document": s.document, "article": s.article, "url": s.url} for s in article.sources]
            if factual and article is not None
            else []
        ),
        "reviewed_at": iso_date(article.reviewed_at) if article is not None else None,
        "review_status": article.review_status if article is not None else None,
        "handoff": handoff,
    }


def _message(text: str, buttons: list[Button], message_meta: dict[str, Any]) -> Message:
    return {"text": text, "buttons": buttons, "meta": dict(message_meta)}


def _with_buttons(bubbles: list[str], buttons: list[Button], message_meta: dict[str, Any]) -> list[Message]:
    """Buttons go on the last bubble only."""
    return [
        _message(text, buttons if i == len(bubbles) - 1 else [], message_meta) for i, text in enumerate(bubbles)
    ]


def article_buttons(article: ArticleLike) -> list[Button]:
    buttons: list[Button] = []
    for button in article.buttons:
        if button.article:
            buttons.append(article_button(button.title, button.article))
        elif button.action == "handoff":
            buttons.append({"title": button.title, "payload": HANDOFF_PAYLOAD})
    return buttons


def render_article(
    article: ArticleLike,
    *,
    topic: str | None = None,
    extra_buttons: Iterable[Button] = (),
    handoff: dict[str, str] | None = None,
    first_bubble: str | None = None,
    feedback: bool = True,
) -> list[Message]:
    """All bubbles of one article: answer, next step/office, officer-review note, sources line;
    feedback buttons under a factual answer unless `feedback` is off (a crisis is not rated)."""
    bubbles: list[str] = []
    if first_bubble:
        bubbles.extend(split_bubble(first_bubble))
    for paragraph in article.answer:
        bubbles.extend(split_bubble(paragraph))
    closing = [
        line
        for line in (
            f"Bước tiếp theo: {article.next_step}" if article.next_step else None,
            f"Nơi liên hệ: {article.office}" if article.office else None,
            texts.OFFICER_REVIEW if article.review_status == "needs_officer_review" else None,
            sources_line(article) if article.factual else None,
        )
        if line
    ]
    if closing:
        bubbles.extend(split_bubble("\n".join(closing)))
    buttons = article_buttons(article)
    for extra in extra_buttons:
        if extra["payload"] not in {b["payload"] for b in buttons}:
            buttons.append(extra)
    if article.factual and feedback:
        buttons.extend(feedback_buttons())
    return _with_buttons(bubbles, buttons, meta(topic or article.topic, article, handoff=handoff))


def render_choices(
    topic: str,
    prompt: str,
    choices: Sequence[ArticleLike],
    *,
    extra_buttons: Iterable[Button] = (),
) -> list[Message]:
    """Ask back: a prompt with one button per likely article."""
    buttons = [article_button(a.title, a.id) for a in choices] + list(extra_buttons)
    return _with_buttons(split_bubble(prompt), buttons, meta(topic))


def render_text(
    topic: str,
    text: str,
    *,
    buttons: Sequence[Button] = (),
    handoff: dict[str, str] | None = None,
) -> list[Message]:
    return _with_buttons(split_bubble(text), list(buttons), meta(topic, handoff=handoff))
