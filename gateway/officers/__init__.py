"""Officers: the officer API (/api/v1/officer/), the console (/console), sign-in, routing, audit.

`router` is what gateway/app.py includes. The modules: `auth` (argon2, sessions, CSRF, lockout),
`api` (the JSON API), `events` (SSE over Redis pub/sub), `console` (pages), `replies` (reply windows
and sending), `routing` (ward -> unit), `hours` (working hours, the waiting notice), `audit`, `create`.
"""
from __future__ import annotations

from fastapi import APIRouter

from gateway.officers import models  # noqa: F401 — registers the officer tables on the shared Base
from gateway.officers.api import router as api_router
from gateway.officers.console import router as console_router
from gateway.officers.events import router as events_router

router = APIRouter()
router.include_router(api_router)
router.include_router(events_router)
router.include_router(console_router)

__all__ = ["router"]
