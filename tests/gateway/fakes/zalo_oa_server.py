"""Fake Zalo OA Open API v3 and OAuth v4: customer-service messages and single-use refresh tokens.

Plays the behaviour that matters: an expired access token answers HTTP 200 with error -216, a refresh
token works exactly once (reuse → -14020), and every refresh issues a new pair.
"""
from __future__ import annotations

import itertools
import threading
from typing import Any

from tests.gateway.fakes.platform_base import FakePlatform, RecordedRequest, Reply

APP_ID = "4312345678901234567"
APP_SECRET = "TEST-zalo-app-secret"


class FakeZaloOA(FakePlatform):
    def __init__(self, *, access_token: str = "access-0", refresh_token: str = "refresh-0") -> None:
        super().__init__()
        self._tokens_lock = threading.Lock()
        self.valid_access_tokens = {access_token}
        self.valid_refresh_tokens = {refresh_token}
        self._generation = itertools.count(1)
        self._message_ids = itertools.count(1)
        self.refreshes = 0
        self.delivered: list[tuple[str, str]] = []

    def expire_access_tokens(self) -> None:
        with self._tokens_lock:
            self.valid_access_tokens.clear()

    def respond(self, request: RecordedRequest) -> Reply:
        if request.path == "/v4/oa/access_token":
            return self._refresh(request)
        if request.path == "/v3.0/oa/message/cs":
            return self._send(request)
        return Reply(404, {"error": 404, "message": "Not Found"})

    def _refresh(self, request: RecordedRequest) -> Reply:
        form = request.form()
        if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
            return Reply(200, {"error": -14002, "error_name": "Invalid app",
                               "error_description": "app id or secret invalid"})
        if form.get("grant_type") != "refresh_token":
            return Reply(200, {"error": -14001, "error_description": "grant_type invalid"})
        with self._tokens_lock:
            if form.get("refresh_token") not in self.valid_refresh_tokens:
                return Reply(200, {"error": -14020, "error_name": "Invalid refresh token",
                                   "error_description": "Refresh token is invalid or used"})
            self.valid_refresh_tokens.discard(form["refresh_token"])   # single use
            generation = next(self._generation)
            access, refresh = f"access-{generation}", f"refresh-{generation}"
            self.valid_access_tokens = {access}
            self.valid_refresh_tokens.add(refresh)
            self.refreshes += 1
        return Reply(200, {"access_token": access, "refresh_token": refresh, "expires_in": "90000"})

    def _send(self, request: RecordedRequest) -> Reply:
        with self._tokens_lock:
            valid = request.headers.get("access_token") in self.valid_access_tokens
        if not valid:
            return Reply(200, {"error": -216, "message": "Access token is invalid"})
        body = request.json() or {}
        text = str((body.get("message") or {}).get("text") or "")
        user_id = (body.get("recipient") or {}).get("user_id")
        if not user_id:
            return Reply(200, {"error": -201, "message": "user_id is invalid"})
        if not text or len(text) > 2000:
            return Reply(200, {"error": -201, "message": "text length is invalid"})
        message_id = f"oam{next(self._message_ids)}"
        with self._tokens_lock:
            self.delivered.append((str(user_id), text))
        return Reply(200, {"error": 0, "message": "Success",
                           "data": {"message_id": message_id, "user_id": user_id,
                                    "quota": {"quota_type": "reply", "remain": "7", "total": "8"}}})

    def sent_texts(self, user_id: str | None = None) -> list[str]:
        """Texts the fake accepted (error 0), i.e. what the person actually received."""
        with self._tokens_lock:
            return [text for recipient, text in self.delivered if user_id is None or recipient == user_id]


def signed_headers(body: bytes, oa_secret_key: str) -> dict[str, str]:
    """The X-ZEvent-Signature Zalo sends: mac = sha256(app_id + body + timestamp + OA secret key)."""
    import hashlib
    import json

    data: dict[str, Any] = json.loads(body)
    mac = hashlib.sha256(
        str(data["app_id"]).encode() + body + str(data["timestamp"]).encode() + oa_secret_key.encode()
    ).hexdigest()
    return {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}
