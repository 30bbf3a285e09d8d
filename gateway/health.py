"""GET /healthz: 200 once the gateway (database, Redis), the engine and the actions all answer."""
from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from gateway.services import Services, get_services

CHECK_TIMEOUT = 3.0
router = APIRouter()


async def _check(name: str, probe: Any) -> tuple[str, bool]:
    try:
        return name, bool(await asyncio.wait_for(probe, CHECK_TIMEOUT))
    except Exception:  # noqa: BLE001 — any failure means "not ready"
        return name, False


async def _http_ok(client: httpx.AsyncClient, url: str) -> bool:
    response = await client.get(url, timeout=CHECK_TIMEOUT)
    return response.status_code == 200


async def _database_ok(services: Services) -> bool:
    await services.database.ping()
    return True


@router.get("/healthz", tags=["health"])
async def healthz(services: Services = Depends(get_services)) -> JSONResponse:
    settings = services.settings
    results = dict(await asyncio.gather(
        _check("database", _database_ok(services)),
        _check("redis", services.bus.ping()),
        _check("engine", _http_ok(services.http, settings.rasa_url + "/")),
        _check("actions", _http_ok(services.http, settings.actions_url + "/health")),
    ))
    parts = {
        "gateway": "ok" if results["database"] and results["redis"] else "down",
        "database": "ok" if results["database"] else "down",
        "redis": "ok" if results["redis"] else "down",
        "engine": "ok" if results["engine"] else "down",
        "actions": "ok" if results["actions"] else "down",
    }
    down = [name for name in ("gateway", "engine", "actions") if parts[name] != "ok"]
    body: dict[str, Any] = {"status": "ok" if not down else "unavailable", "parts": parts, "down": down}
    return JSONResponse(body, status_code=200 if not down else 503)
