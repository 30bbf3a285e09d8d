"""The gateway's ASGI app: `uvicorn gateway.app:create_app --factory` (see tools/serve.py).

The lifespan builds everything from the settings — database (waited for and migrated), Redis (or
fakeredis), the engine client, the pipeline — so nothing is created at import.
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from channels.registry import open_channels
from channels.webchat import WebchatAdapter
from gateway import health, webhooks
from gateway.bus import Bus, connect_redis
from gateway.conversations.pipeline import Pipeline
from gateway.db.session import Database
from gateway.engine import EngineClient
from gateway.errors import install_error_handlers
from gateway.handoff import HandoffService
from gateway.officers.router import router as officers_router
from gateway.services import Services
from gateway.settings import Settings, load_settings
from gateway.webchat import routes as webchat_routes

log = logging.getLogger(__name__)
# Loggers of libraries that would write URLs (a bot token is part of Telegram's), parameters or bodies.
QUIET_LOGGERS = ("httpx", "httpcore", "aiosqlite", "asyncpg", "sqlalchemy.engine")
_SENDER_IN_PATH = re.compile(r"^(/api/v1/chat/)[^/?]+")


class RedactSenderIds(logging.Filter):
    """Access logs show /api/v1/chat/…/history: a web chat sender_id is the person's identifier."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            path = record.args[2]
            if isinstance(path, str):
                record.args = (*record.args[:2], _SENDER_IN_PATH.sub(r"\1…", path), *record.args[3:])
        return True


async def open_services(settings: Settings, *, engine_transport: httpx.AsyncBaseTransport | None = None) -> Services:
    database = Database(settings.database_url)
    await database.start(wait_seconds=settings.db_wait_seconds)
    bus = Bus(connect_redis(settings.redis_url), rate_limit_per_minute=settings.rate_limit_per_minute)
    engine = EngineClient(settings.rasa_url, timeout=settings.engine_timeout, transport=engine_transport)
    pipeline = Pipeline(database=database, bus=bus, engine=engine, retention_days=settings.data_retention_days,
                        rate_limit_per_minute=settings.rate_limit_per_minute)
    pipeline.adapters["webchat"] = WebchatAdapter()
    return Services(settings=settings, database=database, bus=bus, engine=engine, pipeline=pipeline,
                    handoff=HandoffService(database, bus), http=httpx.AsyncClient())


async def close_services(services: Services) -> None:
    await services.pipeline.drain()
    channels = services.extras.get("channels")
    if channels is not None:
        await channels.aclose()
    await services.engine.aclose()
    await services.http.aclose()
    await services.bus.close()
    await services.database.dispose()


async def _open_channels(services: Services) -> None:
    """The platform channels configured in the environment; the web chat is always there."""
    channels = await open_channels(services.settings.env, engine=services.database.engine,
                                   development=services.settings.is_development)
    services.extras["channels"] = channels
    services.pipeline.adapters.update(channels.adapters)


def create_app(settings: Settings | None = None, *,
               engine_transport: httpx.AsyncBaseTransport | None = None,
               recover_on_start: bool = True) -> FastAPI:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactSenderIds) for f in access.filters):
        access.addFilter(RedactSenderIds())
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await open_services(settings or load_settings(), engine_transport=engine_transport)
        app.state.services = services
        try:
            await _open_channels(services)
            app.state.channels = services.extras.get("channels")
            recovery: asyncio.Task[Any] | None = None
            if recover_on_start:
                recovery = asyncio.create_task(services.pipeline.recover())
            yield
            if recovery is not None and not recovery.done():
                recovery.cancel()
        finally:
            await close_services(services)

    app = FastAPI(title="Con đường hướng thiện — gateway", version="1.0", lifespan=lifespan,
                  docs_url="/docs", openapi_url="/openapi.json")
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(webchat_routes.router)
    app.include_router(webhooks.router)
    app.include_router(officers_router)
    return app
