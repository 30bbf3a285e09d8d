"""Live console updates: Server-Sent Events fed by Redis pub/sub (channel `conversations`).

Each gateway instance subscribes for each connected console, so an event published by any instance
(a webhook answered elsewhere) reaches every console. Events carry ids and states, never message text:
the console fetches what it shows through the API (so reads stay audited).
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from gateway.bus import Bus, Event
from gateway.officers.auth import SignedIn, current_officer
from gateway.services import Services, get_services

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
FORWARDED_KEYS = ("type", "conversation_id", "status", "state", "officer_id", "priority", "unit_code",
                  "message_id", "direction", "author", "private", "delivery_status", "event")

router = APIRouter(prefix="/api/v1/officer", tags=["officer"])


def sse_frame(event: Event) -> str:
    data = {key: event[key] for key in FORWARDED_KEYS if key in event}
    return f"event: conversation\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _pump(bus: Bus, queue: asyncio.Queue[Event], ready: asyncio.Event) -> None:
    async with bus.subscribe() as events:
        ready.set()
        async for event in events:
            await queue.put(event)


async def event_stream(bus: Bus, request: Request | None = None, *,
                       heartbeat: float = HEARTBEAT_SECONDS) -> AsyncIterator[str]:
    queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=1000)
    ready = asyncio.Event()
    pump = asyncio.create_task(_pump(bus, queue, ready))
    try:
        await asyncio.wait_for(ready.wait(), timeout=10)
        # The first frame tells the console it is subscribed (and when to retry after a drop).
        yield "retry: 3000\nevent: ready\ndata: {}\n\n"
        while True:
            if request is not None and await request.is_disconnected():
                return
            try:
                event = await asyncio.wait_for(queue.get(), timeout=heartbeat)
            except asyncio.TimeoutError:
                yield ": keep-alive\n\n"
                continue
            yield sse_frame(event)
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump


@router.get("/events", summary="Sự kiện trực tiếp (text/event-stream)",
            response_description="`event: conversation` với {type, conversation_id, …}; không có nội dung tin nhắn")
async def events(request: Request, signed_in: Annotated[SignedIn, Depends(current_officer)],
                 services: Annotated[Services, Depends(get_services)]) -> StreamingResponse:
    headers: dict[str, Any] = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(event_stream(services.bus, request), media_type="text/event-stream", headers=headers)
