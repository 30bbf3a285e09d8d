"""Fake Messenger Send API: POST /me/messages?access_token=…, Graph-style errors."""
from __future__ import annotations

import hashlib
import hmac
import itertools
from typing import Any

from tests.gateway.fakes.platform_base import FakePlatform, RecordedRequest, Reply

PAGE_ACCESS_TOKEN = "TEST-page-access-token"


class FakeMessenger(FakePlatform):
    def __init__(self, page_access_token: str = PAGE_ACCESS_TOKEN) -> None:
        super().__init__()
        self.page_access_token = page_access_token
        self._message_ids = itertools.count(1)
        self.delivered: list[dict[str, Any]] = []     # bodies answered ok, in order

    def respond(self, request: RecordedRequest) -> Reply:
        if request.path != "/me/messages":
            return Reply(404, {"error": {"message": "Unknown path", "type": "GraphMethodException", "code": 100}})
        if request.query.get("access_token") != self.page_access_token:
            return Reply(400, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException",
                                         "code": 190}})
        body = request.json() or {}
        message = body.get("message") or {}
        text = message.get("text")
        quick_replies = message.get("quick_replies") or []
        if (
            body.get("messaging_type") not in {"RESPONSE", "UPDATE", "MESSAGE_TAG"}
            or not text or len(text) > 2000 or len(quick_replies) > 13
            or any(len(reply.get("title", "")) > 20 for reply in quick_replies)
        ):
            return Reply(400, {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException",
                                         "code": 100}})
        self.delivered.append(body)
        return Reply(200, {"recipient_id": body["recipient"]["id"], "message_id": f"m_{next(self._message_ids)}"})

    def sent_texts(self, psid: str | None = None) -> list[str]:
        return [str(body["message"]["text"]) for body in self.delivered
                if psid is None or body["recipient"]["id"] == psid]


def signed_headers(body: bytes, app_secret: str) -> dict[str, str]:
    signature = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={signature}", "Content-Type": "application/json"}
