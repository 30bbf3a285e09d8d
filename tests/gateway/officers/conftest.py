"""Officer-side fixtures: accounts, signed-in API clients, and gateways wired to fake platforms."""
from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from gateway.db.models import Officer
from gateway.officers.create import create_officer
from gateway.services import Services
from gateway.settings import Settings, load_settings
from tests.gateway.fakes.messenger_server import FakeMessenger
from tests.gateway.fakes.telegram_server import TOKEN as TELEGRAM_TOKEN
from tests.gateway.fakes.telegram_server import FakeTelegram
from tests.gateway.fakes.zalo_bot_server import TOKEN as ZALO_BOT_TOKEN
from tests.gateway.fakes.zalo_bot_server import FakeZaloBot
from tests.gateway.fakes.zalo_oa_server import APP_ID as ZALO_OA_APP_ID
from tests.gateway.fakes.zalo_oa_server import APP_SECRET as ZALO_OA_APP_SECRET
from tests.gateway.fakes.zalo_oa_server import FakeZaloOA

PASSWORD = "mat-khau-du-dai-2026"
TELEGRAM_SECRET = "telegram-webhook-secret"
ZALO_BOT_SECRET = "zalo-bot-webhook-secret"
MESSENGER_SECRET = "messenger-app-secret"
MESSENGER_VERIFY = "messenger-verify-token"
MESSENGER_TOKEN = "TEST-page-access-token"
ZALO_OA_SECRET_KEY = "zalo-oa-secret-key"


@dataclass
class OfficerClient:
    """An httpx client signed in as one officer; `csrf` goes in X-CSRF-Token on state changes."""

    http: httpx.AsyncClient
    officer: Officer
    csrf: str

    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    async def post(self, path: str, json: object | None = None) -> httpx.Response:
        return await self.http.post("/api/v1/officer" + path, json=json, headers=self.headers())

    async def put(self, path: str, json: object | None = None) -> httpx.Response:
        return await self.http.put("/api/v1/officer" + path, json=json, headers=self.headers())

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get("/api/v1/officer" + path)


MakeOfficer = Callable[..., Awaitable[Officer]]
SignIn = Callable[..., Awaitable[OfficerClient]]


@pytest.fixture
def make_officer(services: Services) -> MakeOfficer:
    async def make(username: str, *, role: str = "officer", unit_code: str | None = None,
                   display_name: str | None = None, password: str = PASSWORD) -> Officer:
        return await create_officer(services.database, username=username, password=password, role=role,
                                    display_name=display_name or username.title(), unit_code=unit_code)
    return make


@pytest.fixture
async def sign_in(app: FastAPI, make_officer: MakeOfficer) -> AsyncIterator[SignIn]:
    clients: list[httpx.AsyncClient] = []

    async def signed(username: str, **kwargs: object) -> OfficerClient:
        officer = await make_officer(username, **kwargs)  # type: ignore[arg-type]
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test")
        clients.append(http)
        response = await http.post("/api/v1/officer/session", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return OfficerClient(http, officer, response.json()["csrf_token"])

    yield signed
    for http in clients:
        await http.aclose()






@pytest.fixture
def platforms_env(settings_env: dict[str, str], fake_telegram: FakeTelegram, fake_zalo_bot: FakeZaloBot,
                  fake_zalo_oa: FakeZaloOA, fake_messenger: FakeMessenger) -> dict[str, str]:
    """Turn on Telegram, Zalo Bot, Zalo OA and Messenger, pointed at the local fake platforms."""
    settings_env.update({
        "ZALO_OA_APP_ID": ZALO_OA_APP_ID, "ZALO_OA_APP_SECRET": ZALO_OA_APP_SECRET,
        "ZALO_OA_SECRET_KEY": ZALO_OA_SECRET_KEY, "ZALO_OA_REFRESH_TOKEN": "refresh-0",
        "ZALO_OA_ACCESS_TOKEN": "access-0", "ZALO_OA_API_BASE": fake_zalo_oa.url,
        "ZALO_OA_OAUTH_BASE": fake_zalo_oa.url,
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE": fake_telegram.api_base,
        "ZALO_BOT_TOKEN": ZALO_BOT_TOKEN, "ZALO_BOT_WEBHOOK_SECRET": ZALO_BOT_SECRET,
        "ZALO_BOT_API_BASE": fake_zalo_bot.url,
        "MESSENGER_PAGE_ACCESS_TOKEN": MESSENGER_TOKEN, "MESSENGER_APP_SECRET": MESSENGER_SECRET,
        "MESSENGER_VERIFY_TOKEN": MESSENGER_VERIFY, "MESSENGER_API_BASE": fake_messenger.url,
    })
    return settings_env


@pytest.fixture
def settings(platforms_env: dict[str, str]) -> Settings:
    """Every officer test runs with the platform channels on (the shared fixture, after platforms_env)."""
    return load_settings(platforms_env)



@pytest.fixture
async def services(app: FastAPI) -> Services:
    """The shared fixture's services, with the Zalo OA tokens seeded again: the shared `app` fixture empties
    PostgreSQL after start-up, which also drops the tokens the start-up stored (no-op on SQLite)."""
    result: Services = app.state.services
    channels = result.extras.get("channels")
    adapter = channels.adapters.get("zalo_oa") if channels is not None else None
    if adapter is not None:
        await adapter.tokens.seed("refresh-0", "access-0")
    return result
