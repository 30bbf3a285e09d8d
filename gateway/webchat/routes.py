"""POST /api/v1/chat (shared/PRODUCT.md), the history for polling, the page and the widget script."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from channels.webchat import TEXT_LIMIT, WebchatAdapter
from gateway.conversations import repository
from gateway.conversations.pipeline import AnswerOutcome, ConversationView, Reply
from gateway.db.models import Conversation
from gateway.services import Services, get_services

STATIC = Path(__file__).resolve().parent / "static"
SENDER_PATTERN = r"^[A-Za-z0-9_.:@-]{1,128}$"

router = APIRouter()


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    sender_id: str = Field(min_length=1, max_length=128, pattern=SENDER_PATTERN,
                           description="the browser's own random id (keep it secret: it opens the history)")
    text: str | None = Field(default=None, max_length=TEXT_LIMIT)
    payload: str | None = Field(default=None, max_length=TEXT_LIMIT)
    message_id: str | None = Field(default=None, min_length=1, max_length=100, pattern=SENDER_PATTERN,
                                   description="optional: the same id on a retry is answered once")

    @model_validator(mode="after")
    def text_or_payload(self) -> ChatRequest:
        if not (self.text and self.text.strip()) and not (self.payload and self.payload.strip()):
            raise ValueError("text or payload is required")
        return self


class SourceOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    document: str
    article: str | None = None
    url: str | None = None


class MetaOut(BaseModel):
    topic: str | None
    article_id: str | None = None
    sources: list[SourceOut] = []
    kind: str | None = None


class ButtonOut(BaseModel):
    title: str
    payload: str


class MessageOut(BaseModel):
    id: int | None = None
    text: str
    buttons: list[ButtonOut] = []
    meta: MetaOut


class ConversationOut(BaseModel):
    id: str
    status: str
    priority: str
    officer: str | None


class ChatResponse(BaseModel):
    conversation: ConversationOut
    messages: list[MessageOut]


class HistoryMessage(MessageOut):
    direction: str
    author: str
    created_at: str
    payload: str | None = None


class HistoryResponse(BaseModel):
    conversation: ConversationOut | None
    messages: list[HistoryMessage]


def _sources(raw: Any) -> list[dict[str, Any]]:
    return [s for s in (raw or []) if isinstance(s, dict) and s.get("document")]


def _reply_out(reply: Reply) -> dict[str, Any]:
    meta = dict(reply.meta)
    return {"id": reply.message_id, "text": reply.text, "buttons": list(reply.buttons),
            "meta": {"topic": meta.get("topic"), "article_id": meta.get("article_id"),
                     "sources": _sources(meta.get("sources")), "kind": meta.get("kind")}}


@router.post("/api/v1/chat", response_model=ChatResponse, tags=["web chat"],
             responses={400: {"description": "not JSON"}, 422: {"description": "invalid fields"}})
async def chat(body: ChatRequest, services: Services = Depends(get_services)) -> dict[str, Any]:
    """Send one message as the person `sender_id`; the answers come back in the response."""
    adapter = WebchatAdapter()
    inbound = adapter.inbound(body.sender_id, body.text, body.payload, body.message_id)
    pipeline = services.pipeline
    recorded = await pipeline.record(inbound, adapter)
    if recorded is None:   # a retried message_id: answered already; show the current state
        return await _current(services, body.sender_id)
    outcome: AnswerOutcome = await pipeline.answer(recorded, adapter)
    return {"conversation": outcome.conversation.as_dict(), "messages": [_reply_out(r) for r in outcome.replies]}


async def _current(services: Services, sender_id: str) -> dict[str, Any]:
    async with services.database.sessions() as session:
        conversation = await _conversation_of(session, sender_id)
        if conversation is None:
            view = ConversationView("", "bot", "normal", None)
        else:
            name = await repository.officer_name(session, conversation.officer_id)
            view = ConversationView(conversation.id, conversation.status, conversation.priority, name)
    return {"conversation": view.as_dict(), "messages": []}


async def _conversation_of(session: Any, sender_id: str) -> Conversation | None:
    identity = await repository.find_identity(session, "webchat", sender_id)
    if identity is None:
        return None
    return await repository.latest_conversation(session, identity.contact_id, "webchat")


@router.get("/api/v1/chat/{sender_id}/history", response_model=HistoryResponse, tags=["web chat"])
async def chat_history(sender_id: str, after: int = Query(default=0, ge=0),
                       services: Services = Depends(get_services)) -> dict[str, Any]:
    """The conversation so far (or the part after message `after`): the page polls it for officers' replies."""
    if not re.match(SENDER_PATTERN, sender_id):
        raise HTTPException(422, {"code": "invalid_request", "message": "sender_id: invalid"})
    async with services.database.sessions() as session:
        conversation = await _conversation_of(session, sender_id)
        if conversation is None:
            return {"conversation": None, "messages": []}
        name = await repository.officer_name(session, conversation.officer_id)
        rows = await repository.history(session, conversation.id, after_id=after)
    messages = [{
        "id": m.id, "direction": m.direction, "author": m.author, "text": m.text or "",
        "payload": m.payload if m.direction == "incoming" else None,
        "buttons": list(m.buttons or []), "created_at": m.created_at.isoformat(),
        "meta": {"topic": m.topic, "article_id": m.article_id, "sources": _sources(m.sources), "kind": m.kind},
    } for m in rows]
    view = ConversationView(conversation.id, conversation.status, conversation.priority, name)
    return {"conversation": view.as_dict(), "messages": messages}


_NO_CACHE = {"Cache-Control": "no-cache"}


@router.get("/", include_in_schema=False)
async def page() -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=_NO_CACHE)


@router.get("/widget.js", include_in_schema=False)
async def widget(request: Request) -> Response:
    return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8", headers=_NO_CACHE)


@router.get("/webchat/{name}", include_in_schema=False)
async def asset(name: str) -> Response:
    allowed = {"chat.js": "text/javascript; charset=utf-8", "chat.css": "text/css; charset=utf-8"}
    if name not in allowed:
        raise HTTPException(404, "not found")
    return FileResponse(STATIC / name, media_type=allowed[name], headers=_NO_CACHE)
