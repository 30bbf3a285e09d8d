"""Sign-in, sessions, CSRF, lockout, roles, the create command, and the console's security headers."""
from __future__ import annotations

import asyncio
import io
import sys
from dataclasses import replace

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from gateway.db.models import Officer
from gateway.officers import auth, create
from gateway.officers.models import AuditEntry, OfficerSession
from gateway.services import Services
from tests.gateway.officers.conftest import PASSWORD, MakeOfficer, SignIn

API = "/api/v1/officer"


async def audit_actions(services: Services) -> list[str]:
    async with services.database.sessions() as session:
        return list((await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all())


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/me"), ("GET", "/conversations"), ("GET", "/conversations/abc"), ("GET", "/events"),
    ("POST", "/conversations/abc/claim"), ("POST", "/conversations/abc/messages"), ("GET", "/audit"),
    ("GET", "/canned-replies"), ("DELETE", "/session"),
])
async def test_every_route_is_closed_without_a_session(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, API + path, json={"text": "x"} if method == "POST" else None)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_sign_in_sets_a_strict_http_only_cookie_and_stores_only_a_hash(
        client: httpx.AsyncClient, make_officer: MakeOfficer, services: Services) -> None:
    await make_officer("an")
    response = await client.post(API + "/session", json={"username": "an", "password": PASSWORD})

    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert f"{auth.COOKIE_NAME}=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = client.cookies[auth.COOKIE_NAME]
    async with services.database.sessions() as session:
        rows = (await session.scalars(select(OfficerSession))).all()
    assert [r.token_hash for r in rows] == [auth.token_hash(token)]
    assert token not in {r.token_hash for r in rows}
    me = await client.get(API + "/me")
    assert me.json()["officer"]["username"] == "an" and me.json()["csrf_token"] == response.json()["csrf_token"]
    assert "sign_in" in await audit_actions(services)


async def test_the_cookie_is_secure_outside_development(make_officer: MakeOfficer, services: Services) -> None:
    await make_officer("an")
    production = replace(services, settings=replace(services.settings, app_env="production"))
    transport = httpx.ASGITransport(app=_app_of(production))
    async with httpx.AsyncClient(transport=transport, base_url="https://gateway.test") as http:
        response = await http.post(API + "/session", json={"username": "an", "password": PASSWORD})
    assert response.status_code == 200
    assert "Secure" in response.headers["set-cookie"]


def _app_of(services: Services) -> FastAPI:
    from gateway.errors import install_error_handlers
    from gateway.officers.router import router

    app = FastAPI()
    app.state.services = services
    install_error_handlers(app)
    app.include_router(router)
    return app


async def test_wrong_password_and_unknown_user_get_the_same_answer(
        client: httpx.AsyncClient, make_officer: MakeOfficer, services: Services) -> None:
    await make_officer("an")
    wrong = await client.post(API + "/session", json={"username": "an", "password": "sai-mat-khau-roi"})
    nobody = await client.post(API + "/session", json={"username": "khong-co", "password": "sai-mat-khau-roi"})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == nobody.json()
    assert auth.COOKIE_NAME not in client.cookies
    assert (await audit_actions(services)).count("sign_in_failed") == 2


async def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(
        client: httpx.AsyncClient, make_officer: MakeOfficer, services: Services) -> None:
    officer = await make_officer("an")
    for _ in range(4):
        wrong = await client.post(API + "/session", json={"username": "an", "password": "sai-mat-khau-x"})
        assert wrong.status_code == 401
    fifth = await client.post(API + "/session", json={"username": "an", "password": "sai-mat-khau-x"})
    assert fifth.status_code == 429 and fifth.json()["error"]["code"] == "account_locked"
    # Even the right password is refused while locked.
    right = await client.post(API + "/session", json={"username": "an", "password": PASSWORD})
    assert right.status_code == 429
    async with services.database.sessions() as session:
        stored = await session.get_one(Officer, officer.id)
        assert stored.locked_until is not None
        minutes = (stored.locked_until - stored.created_at).total_seconds() / 60
        assert 14 <= minutes <= 16
        # After the lock runs out the right password works again.
        stored.locked_until = stored.created_at
        await session.commit()
    assert (await client.post(API + "/session", json={"username": "an", "password": PASSWORD})).status_code == 200
    assert "sign_in_locked" in await audit_actions(services)


async def test_state_changes_need_the_session_csrf_token(sign_in: SignIn, services: Services) -> None:
    an = await sign_in("an", role="admin")
    body = {"title": "Chào", "text": "Chào anh/chị, tôi là cán bộ phụ trách."}
    missing = await an.http.post(API + "/canned-replies", json=body)
    wrong = await an.http.post(API + "/canned-replies", json=body, headers={"X-CSRF-Token": "khong-dung"})
    right = await an.post("/canned-replies", body)
    assert missing.status_code == wrong.status_code == 403
    assert missing.json()["error"]["code"] == "csrf_failed"
    assert right.status_code == 201
    # Reading needs no token.
    assert (await an.http.get(API + "/canned-replies")).status_code == 200


async def test_officer_without_admin_role_cannot_use_admin_pages_or_api(sign_in: SignIn) -> None:
    binh = await sign_in("binh")
    for response in (await binh.get("/audit"),
                     await binh.post("/canned-replies", {"title": "a", "text": "b"}),
                     await binh.post("/officers", {"username": "x", "display_name": "X", "password": PASSWORD}),
                     await binh.put("/units/abc", {"code": "abc", "name": "A"})):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "admin_only"
    page = await binh.http.get("/console/admin")
    assert page.status_code == 403
    admin = await sign_in("chi", role="admin")
    assert (await admin.http.get("/console/admin")).status_code == 200
    assert (await admin.get("/audit")).status_code == 200


async def test_sign_out_ends_the_session(sign_in: SignIn) -> None:
    an = await sign_in("an")
    assert (await an.http.delete(API + "/session", headers=an.headers())).status_code == 204
    an.http.cookies.clear()
    assert (await an.get("/me")).status_code == 401


async def test_deactivated_officer_is_signed_out(sign_in: SignIn) -> None:
    admin = await sign_in("chi", role="admin")
    binh = await sign_in("binh")
    response = await admin.http.patch(API + f"/officers/{binh.officer.id}", json={"active": False},
                                      headers=admin.headers())
    assert response.status_code == 200
    assert (await binh.get("/me")).status_code == 401


async def test_console_pages_carry_a_strict_content_security_policy(client: httpx.AsyncClient) -> None:
    for path in ("/console", "/console/static/console.js"):
        response = await client.get(path)
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
    js = (await client.get("/console/static/console.js")).text + (await client.get("/console/static/admin.js")).text
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "document.write" not in js


async def test_officer_api_is_in_the_openapi_schema(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in ("/api/v1/officer/session", "/api/v1/officer/conversations",
                 "/api/v1/officer/conversations/{conversation_id}/messages", "/api/v1/officer/events"):
        assert path in paths


async def test_create_command_reads_the_password_from_stdin(services: Services, monkeypatch: pytest.MonkeyPatch,
                                                             settings_env: dict[str, str]) -> None:
    for key, value in settings_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "stdin", io.StringIO("mot-mat-khau-rat-dai\n"))
    # main() runs its own event loop; run it in a thread so it does not clash with the test's.
    code = await asyncio.to_thread(create.main, ["--username", "quantri", "--role", "admin", "--password-stdin"])
    assert code == 0
    async with services.database.sessions() as session:
        officer = await session.scalar(select(Officer).where(Officer.username == "quantri"))
    assert officer is not None and officer.role == "admin"
    assert officer.password_hash.startswith("$argon2") and "mot-mat-khau" not in officer.password_hash
    assert auth.verify_password(officer.password_hash, "mot-mat-khau-rat-dai")


async def test_create_command_refuses_a_short_or_empty_password(monkeypatch: pytest.MonkeyPatch,
                                                                 settings_env: dict[str, str],
                                                                 services: Services) -> None:
    for key, value in settings_env.items():
        monkeypatch.setenv(key, value)
    for typed in ("\n", "ngan\n"):
        monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
        assert await asyncio.to_thread(create.main, ["--username", "x", "--password-stdin"]) == 2
