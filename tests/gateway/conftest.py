"""Shared fixtures of the gateway tests (also for tests/gateway/channels and tests/gateway/officers).

    fake_engine  the scripted engine + actions stand-in (tests/gateway/fakes/engine.py), reset per test
    settings     Settings for one test: its own SQLite file + fakeredis, or — when TEST_DATABASE_URL /
                 TEST_REDIS_URL are set (second pass of `make test-gateway`) — PostgreSQL and real Redis,
                 emptied before the test
    app          the FastAPI app with its lifespan running (database migrated)
    services     app.state.services: database, bus, engine client, pipeline, handoff service
    client       an httpx.AsyncClient talking to `app` in-process
    live_gateway the gateway served by uvicorn on 127.0.0.1 (a thread of its own); its base URL
"""
from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import text

from gateway.app import create_app
from gateway.services import Services
from gateway.settings import Settings, load_settings
from tests.gateway.fakes.engine import FakeEngine
from tests.gateway.fakes.messenger_server import FakeMessenger
from tests.gateway.fakes.telegram_server import FakeTelegram
from tests.gateway.fakes.zalo_bot_server import FakeZaloBot
from tests.gateway.fakes.zalo_oa_server import FakeZaloOA

HERE = Path(__file__).resolve().parent
REQUIRE_SERVICES = os.environ.get("CI_REQUIRE_SERVICES") == "1"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")

# Third-party warnings we cannot fix; everything else in the gateway tests is an error.
ALLOWED_WARNINGS = (
    "ignore::ResourceWarning",
    "ignore:.*unclosed.*:ResourceWarning",
    "ignore::pytest.PytestUnraisableExceptionWarning",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.filterwarnings("error"))
            for allowed in ALLOWED_WARNINGS:
                item.add_marker(pytest.mark.filterwarnings(allowed))


@pytest.fixture(autouse=True)
def _needs_services(request: pytest.FixtureRequest) -> None:
    """Tests marked postgres/redis run only where those are configured (skip, or fail in CI)."""
    missing = []
    if request.node.get_closest_marker("postgres") and not TEST_DATABASE_URL.startswith("postgresql"):
        missing.append("PostgreSQL (TEST_DATABASE_URL)")
    if request.node.get_closest_marker("redis") and not TEST_REDIS_URL:
        missing.append("Redis (TEST_REDIS_URL)")
    if missing:
        message = "needs " + ", ".join(missing)
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def _fake_engine_server() -> Iterator[FakeEngine]:
    fake = FakeEngine().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_engine(_fake_engine_server: FakeEngine) -> Iterator[FakeEngine]:
    _fake_engine_server.reset()
    yield _fake_engine_server
    _fake_engine_server.reset()


@pytest.fixture
def settings_env(tmp_path: Path, fake_engine: FakeEngine) -> dict[str, str]:
    """The environment a test gateway is built from; tests may change it before asking for `settings`."""
    env = {
        "APP_ENV": "test",
        "VAR_DIR": str(tmp_path / "var"),
        "RASA_URL": fake_engine.url,
        "ACTIONS_URL": fake_engine.url,
        "DATABASE_URL": TEST_DATABASE_URL or f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        "SESSION_SECRET": "test-session-secret-not-for-production",
        "ENGINE_TIMEOUT": "5",
        "DB_WAIT_SECONDS": "5",
        "PATH": os.environ.get("PATH", ""),
    }
    if TEST_REDIS_URL:
        env["REDIS_URL"] = TEST_REDIS_URL
    return env


@pytest.fixture
def settings(settings_env: dict[str, str]) -> Settings:
    return load_settings(settings_env)


async def empty_stores(services: Services) -> None:
    """Start from nothing on shared PostgreSQL / Redis (each SQLite test has its own file)."""
    if not services.database.is_sqlite:
        async with services.database.engine.begin() as connection:
            names = (await connection.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'"))).scalars().all()
            if names:
                await connection.execute(text(
                    "TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
    if services.settings.redis_url:
        await services.bus.redis.flushdb()


async def _reset_for_live(settings: Settings) -> None:
    from gateway.app import close_services, open_services

    services = await open_services(settings)
    try:
        await empty_stores(services)
    finally:
        await close_services(services)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings, recover_on_start=False)
    async with application.router.lifespan_context(application):
        await empty_stores(application.state.services)
        yield application


@pytest.fixture
def services(app: FastAPI) -> Services:
    result: Services = app.state.services
    return result


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_gateway(settings: Settings) -> Iterator[str]:
    """The gateway served by uvicorn on 127.0.0.1 in a thread of its own."""
    asyncio.run(_reset_for_live(settings))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, recover_on_start=False), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/openapi.json", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        pytest.fail("gateway did not start")
    yield url
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def fake_zalo_bot() -> Iterator[FakeZaloBot]:
    with FakeZaloBot() as fake:
        yield fake


@pytest.fixture
def fake_zalo_oa() -> Iterator[FakeZaloOA]:
    with FakeZaloOA() as fake:
        yield fake


@pytest.fixture
def fake_messenger() -> Iterator[FakeMessenger]:
    with FakeMessenger() as fake:
        yield fake
