"""Everything officers reach over HTTP: the JSON API, the live event stream and the console pages."""
from __future__ import annotations

from fastapi import APIRouter

from gateway.officers.api import router as api_router
from gateway.officers.console import router as console_router
from gateway.officers.events import router as events_router

router = APIRouter()
router.include_router(api_router)
router.include_router(events_router)
router.include_router(console_router)
