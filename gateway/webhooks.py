"""Platform webhooks: POST /webhooks/{telegram,zalo,zalo-oa,messenger} and Messenger's GET handshake.

Each request: read the RAW body → adapter.verify (refused: 401/403, nothing stored) → adapter.parse
(garbled after a valid signature: 400) → pipeline.record for every message (stored before anything
else; duplicates come back None) → 200. The answers go out in background tasks; the pipeline's
per-conversation turn order keeps one person's messages answered in the order they arrived.
A channel that is not configured answers 404.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from channels.base import ChannelAdapter, WebhookRejected
from channels.registry import WEBHOOK_SLUGS
from gateway.errors import error_response
from gateway.services import get_pipeline

log = logging.getLogger(__name__)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
# Platforms send small JSON updates; anything larger is not theirs.
MAX_BODY_BYTES = 1_000_000
_REJECTED_CODES = {401: "unauthorized", 403: "forbidden"}
# Side tasks (Telegram's callback acknowledgement) kept referenced until done.
_side_tasks: set[asyncio.Task[Any]] = set()


def _adapter(request: Request, slug: str) -> ChannelAdapter | None:
    channels = getattr(request.app.state, "channels", None)
    return channels.by_slug(slug) if channels is not None else None


def _not_configured() -> JSONResponse:
    return error_response(404, "not_found", "Kênh này chưa được cấu hình.")


async def _receive(request: Request, slug: str) -> Response:
    adapter = _adapter(request, slug)
    if adapter is None:
        return _not_configured()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return error_response(413, "too_large", "Nội dung quá lớn.")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return error_response(413, "too_large", "Nội dung quá lớn.")
    try:
        adapter.verify(request.headers, body)
    except WebhookRejected as rejected:
        log.warning("webhook refused: channel=%s status=%s reason=%s", adapter.name, rejected.status_code,
                    rejected.reason)
        return error_response(rejected.status_code, _REJECTED_CODES.get(rejected.status_code, "forbidden"),
                              "Yêu cầu không được xác thực.")
    try:
        messages = adapter.parse(body)
    except ValueError as malformed:
        # The reason names the shape that was wrong, never the content.
        log.warning("webhook malformed: channel=%s reason=%s", adapter.name, malformed)
        return error_response(400, "malformed_update", "Nội dung webhook không đúng định dạng.")

    pipeline = get_pipeline(request)
    for inbound in messages:
        try:
            recorded = await pipeline.record(inbound, adapter)
        except Exception as error:  # noqa: BLE001 — not stored: the platform must deliver it again
            log.error("webhook not stored: channel=%s error=%s", adapter.name, type(error).__name__)
            return error_response(503, "unavailable", "Tạm thời không lưu được tin nhắn; vui lòng gửi lại.")
        if recorded is None:
            continue    # a platform retry of something already stored (and answered, or being answered)
        acknowledge = getattr(adapter, "acknowledge", None)
        if acknowledge is not None:
            task = asyncio.create_task(acknowledge(inbound))
            _side_tasks.add(task)
            task.add_done_callback(_side_tasks.discard)
        pipeline.answer_in_background(recorded, adapter)
    return JSONResponse({"ok": True})


def _post_route(slug: str) -> Any:
    async def receive(request: Request) -> Response:
        return await _receive(request, slug)

    receive.__name__ = f"webhook_{slug.replace('-', '_')}"
    return receive


for _slug in WEBHOOK_SLUGS.values():
    router.add_api_route(f"/{_slug}", _post_route(_slug), methods=["POST"], include_in_schema=True)


@router.get("/messenger")
async def messenger_handshake(request: Request) -> Response:
    """Meta's subscription check: echo hub.challenge when hub.verify_token matches."""
    adapter = _adapter(request, "messenger")
    handshake = getattr(adapter, "handshake", None)
    if adapter is None or handshake is None:
        return _not_configured()
    try:
        challenge = handshake(request.query_params)
    except WebhookRejected as rejected:
        log.warning("messenger handshake refused: %s", rejected.reason)
        return error_response(403, "forbidden", "Mã xác minh không đúng.")
    return PlainTextResponse(challenge)
