"""Zalo OA v3: event signature, user_send_* parsing, CS messages (HTTP 200 + error 0), single-use refresh tokens."""
from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from channels.base import Button, OutboundMessage, WebhookRejected
from channels.payloads import MalformedUpdateError
from channels.retry import RetryPolicy
from channels.zalo_oa import ZaloOAAdapter, free_reply_window_closes_at, reply_window_closes_at
from channels.zalo_oa_tokens import OATokens, TokenStore
from gateway.db.session import Database
from tests.gateway.channels.conftest import RecordedSleep
from tests.gateway.fakes.zalo_oa_server import APP_ID, APP_SECRET, FakeZaloOA, signed_headers

OA_SECRET_KEY = "TEST-oa-secret-key"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """The gateway's real migrations (0001 → 0003) on a fresh SQLite file, or the test PostgreSQL."""
    database = Database(TEST_DATABASE_URL or f"sqlite+aiosqlite:///{tmp_path / 'tokens.db'}")
    await database.start(wait_seconds=5)
    if not database.is_sqlite:
        from sqlalchemy import text
        async with database.engine.begin() as connection:
            await connection.execute(text("DELETE FROM channel_tokens"))
    yield database
    await database.dispose()


@pytest.fixture
async def tokens(database: Database) -> TokenStore:
    store = TokenStore(database.engine)
    await store.seed("refresh-0", "access-0")
    return store


def make_adapter(tokens: TokenStore, fake: FakeZaloOA | None, sleep: RecordedSleep | None = None) -> ZaloOAAdapter:
    base = fake.url if fake is not None else "http://127.0.0.1:9"
    return ZaloOAAdapter(app_id=APP_ID, app_secret=APP_SECRET, oa_secret_key=OA_SECRET_KEY, tokens=tokens,
                         api_base=base, oauth_base=base, retry=RetryPolicy(attempts=3),
                         sleep=sleep or RecordedSleep())


def event(name: str = "user_send_text", msg_id: str = "msg-1", text: str = "xin chao", user: str = "zu-5") -> bytes:
    body: dict = {"app_id": APP_ID, "user_id_by_app": "app-5", "event_name": name, "timestamp": "1764000000000",
                  "sender": {"id": user}, "recipient": {"id": "OA-1"}, "message": {"msg_id": msg_id}}
    if name.endswith("_text"):
        body["message"]["text"] = text
    if name == "user_send_image":
        body["message"]["attachments"] = [{"type": "image", "payload": {"url": "https://x/y.jpg"}}]
    return json.dumps(body, ensure_ascii=False).encode()


# -- verify and parse ---------------------------------------------------------------------------

async def test_verify_good_forged_missing(tokens: TokenStore) -> None:
    adapter = make_adapter(tokens, None)
    body = event(text="xin chào")
    assert json.dumps(json.loads(body)).encode() != body
    adapter.verify(signed_headers(body, OA_SECRET_KEY), body)
    with pytest.raises(WebhookRejected) as forged:
        adapter.verify(signed_headers(body, "another-key"), body)
    with pytest.raises(WebhookRejected) as tampered:        # the raw bytes are hashed, not re-serialised JSON
        adapter.verify(signed_headers(body, OA_SECRET_KEY), json.dumps(json.loads(body)).encode())
    with pytest.raises(WebhookRejected) as missing:
        adapter.verify({}, body)
    assert (forged.value.status_code, tampered.value.status_code, missing.value.status_code) == (403, 403, 401)


async def test_verify_refuses_events_of_another_app(tokens: TokenStore) -> None:
    body = event().replace(APP_ID.encode(), b"999")
    with pytest.raises(WebhookRejected) as rejected:
        make_adapter(tokens, None).verify(signed_headers(body, OA_SECRET_KEY), body)
    assert rejected.value.status_code == 403


async def test_parse_text_image_sticker_and_ignored_events(tokens: TokenStore) -> None:
    adapter = make_adapter(tokens, None)
    [text] = adapter.parse(event(text="vay vốn"))
    assert (text.channel, text.external_user_id, text.delivery_key, text.text, text.kind) == (
        "zalo_oa", "zu-5", "msg-1", "vay vốn", "text")
    assert text.sent_at == datetime.fromtimestamp(1_764_000_000, tz=timezone.utc)
    [image] = adapter.parse(event("user_send_image", "msg-2"))
    [sticker] = adapter.parse(event("user_send_sticker", "msg-3"))
    [audio] = adapter.parse(event("user_send_audio", "msg-4"))
    assert [(m.kind, m.text) for m in (image, sticker, audio)] == [("image", None), ("sticker", None),
                                                                   ("unsupported", None)]
    for ignored in ("user_received_message", "user_seen_message", "follow"):
        assert adapter.parse(event(ignored)) == []
    with pytest.raises(MalformedUpdateError):
        adapter.parse(b'{"event_name": "user_send_text", "sender": {"id": "x"}, "message": {}}')


def test_reply_windows() -> None:
    last = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)
    assert free_reply_window_closes_at(last) == last + timedelta(hours=48)
    assert reply_window_closes_at(last) == last + timedelta(days=7)


# -- send ---------------------------------------------------------------------------------------

async def test_send_uses_the_access_token_header_splits_and_numbers_options(
    tokens: TokenStore, fake_zalo_oa: FakeZaloOA
) -> None:
    adapter = make_adapter(tokens, fake_zalo_oa)
    text = " ".join(["Bạn đến Phòng Tư pháp xã để được trợ giúp pháp lý miễn phí."] * 50)
    result = await adapter.send("zu-5", OutboundMessage(text, (Button("Ai được trợ giúp?", "/who"),)))
    await adapter.aclose()
    assert result.ok, result.error
    sent = fake_zalo_oa.sent_texts("zu-5")
    assert len(sent) == 2 and all(len(piece) <= 2000 for piece in sent)
    assert sent[-1].endswith("1. Ai được trợ giúp?")
    call = fake_zalo_oa.calls("/v3.0/oa/message/cs")[0]
    assert call.headers["access_token"] == "access-0"
    assert call.json()["recipient"] == {"user_id": "zu-5"}


async def test_http_200_with_an_error_code_is_a_failure(tokens: TokenStore, fake_zalo_oa: FakeZaloOA) -> None:
    fake_zalo_oa.script("/v3.0/oa/message/cs", 200, {"error": -230, "message": "User has not interacted in 7 days"})
    adapter = make_adapter(tokens, fake_zalo_oa)
    result = await adapter.send("zu-5", OutboundMessage("Chào bạn"))
    await adapter.aclose()
    assert not result.ok
    assert result.error is not None and "7 days" in result.error and "-230" in result.error


async def test_expired_token_is_refreshed_once_rotated_and_the_send_retried(
    tokens: TokenStore, fake_zalo_oa: FakeZaloOA
) -> None:
    fake_zalo_oa.expire_access_tokens()
    adapter = make_adapter(tokens, fake_zalo_oa)
    result = await adapter.send("zu-5", OutboundMessage("Chào bạn"))
    assert result.ok, result.error
    assert fake_zalo_oa.sent_texts("zu-5") == ["Chào bạn"]
    [refresh] = fake_zalo_oa.calls("/v4/oa/access_token")
    assert refresh.headers["secret_key"] == APP_SECRET
    assert refresh.form() == {"app_id": APP_ID, "refresh_token": "refresh-0", "grant_type": "refresh_token"}
    stored = await tokens.load()
    assert (stored.access_token, stored.refresh_token) == ("access-1", "refresh-1")
    assert stored.access_expires_at is not None and stored.access_expires_at > datetime.now(timezone.utc)
    # The next send uses the stored pair without refreshing again.
    assert (await adapter.send("zu-5", OutboundMessage("Lần hai"))).ok
    assert fake_zalo_oa.refreshes == 1
    await adapter.aclose()


async def test_concurrent_expiries_spend_the_single_use_refresh_token_once(
    database: Database, tokens: TokenStore, fake_zalo_oa: FakeZaloOA
) -> None:
    """Two "replicas" (two adapters, two stores, one database) meet an expired token at once."""
    fake_zalo_oa.expire_access_tokens()
    first = make_adapter(tokens, fake_zalo_oa)
    second = make_adapter(TokenStore(database.engine), fake_zalo_oa)
    results = await asyncio.gather(*(adapter.send(f"zu-{n}", OutboundMessage(f"tin {n}"))
                                     for n, adapter in enumerate([first, second, first, second])))
    await first.aclose()
    await second.aclose()
    assert all(result.ok for result in results), [result.error for result in results]
    assert fake_zalo_oa.refreshes == 1
    assert not [c for c in fake_zalo_oa.calls("/v4/oa/access_token")
                if c.form()["refresh_token"] != "refresh-0"]


async def test_a_refused_refresh_is_reported_not_raised(tokens: TokenStore, fake_zalo_oa: FakeZaloOA) -> None:
    fake_zalo_oa.expire_access_tokens()
    fake_zalo_oa.valid_refresh_tokens.clear()          # already used elsewhere: -14020
    adapter = make_adapter(tokens, fake_zalo_oa)
    result = await adapter.send("zu-5", OutboundMessage("Chào bạn"))
    await adapter.aclose()
    assert not result.ok and "Refresh token is invalid" in (result.error or "")
    assert (await tokens.load()).refresh_token == "refresh-0"     # nothing half-written


async def test_token_about_to_expire_is_refreshed_before_sending(
    database: Database, fake_zalo_oa: FakeZaloOA
) -> None:
    store = TokenStore(database.engine)
    await store.seed("refresh-0", None)                 # only a refresh token configured
    adapter = make_adapter(store, fake_zalo_oa)
    assert (await adapter.send("zu-5", OutboundMessage("Chào bạn"))).ok
    await adapter.aclose()
    assert fake_zalo_oa.refreshes == 1
    assert [c.headers["access_token"] for c in fake_zalo_oa.calls("/v3.0/oa/message/cs")] == ["access-1"]


async def test_seed_keeps_rotated_tokens_but_takes_a_new_authorisation(database: Database) -> None:
    store = TokenStore(database.engine)
    await store.seed("refresh-0", "access-0")

    async def refresh(token: str) -> OATokens:
        return OATokens("access-9", "refresh-9")

    await store.rotate("access-0", refresh)
    await store.seed("refresh-0", "access-0")            # restart with the same (spent) env values
    assert (await store.load()).refresh_token == "refresh-9"
    await store.seed("refresh-new", "access-new")        # an admin re-authorised and set new values
    assert (await store.load()).refresh_token == "refresh-new"


async def test_send_retries_5xx_then_gives_up(
    tokens: TokenStore, fake_zalo_oa: FakeZaloOA, recorded_sleep: RecordedSleep
) -> None:
    fake_zalo_oa.script("/v3.0/oa/message/cs", 502, b"Bad Gateway", times=5)
    adapter = make_adapter(tokens, fake_zalo_oa, recorded_sleep)
    result = await adapter.send("zu-5", OutboundMessage("Chào bạn"))
    await adapter.aclose()
    assert not result.ok and "502" in (result.error or "")
    assert len(fake_zalo_oa.calls("/v3.0/oa/message/cs")) == 3 and len(recorded_sleep.waits) == 2
