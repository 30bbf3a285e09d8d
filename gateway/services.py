"""What the running gateway is made of, built once in the app's lifespan and shared by the routes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import Request

from gateway.bus import Bus
from gateway.conversations.pipeline import Pipeline
from gateway.db.session import Database
from gateway.engine import EngineClient
from gateway.handoff import HandoffService
from gateway.settings import Settings


@dataclass
class Services:
    settings: Settings
    database: Database
    bus: Bus
    engine: EngineClient
    pipeline: Pipeline
    handoff: HandoffService
    http: httpx.AsyncClient                  # for health checks
    extras: dict[str, Any] = field(default_factory=dict)


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def get_pipeline(request: Request) -> Pipeline:
    return get_services(request).pipeline
