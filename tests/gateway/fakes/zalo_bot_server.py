"""Fake Zalo Bot Platform API: POST /bot<token>/<method> with JSON, envelope {ok, result | error_code, description}."""
from __future__ import annotations

import itertools
import time
from typing import Any

from tests.gateway.fakes.platform_base import FakePlatform, RecordedRequest, Reply

TOKEN = "1234567890:TEST-zalo-bot-token"


class FakeZaloBot(FakePlatform):
    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self._message_ids = itertools.count(1)
        self.webhook: dict[str, Any] = {}
        self.delivered: list[dict[str, Any]] = []     # sendMessage calls answered ok, in order

    def respond(self, request: RecordedRequest) -> Reply:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            return Reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = request.path.removeprefix(prefix)
        params = request.json() or {}
        if method == "sendMessage":
            text = str(params.get("text") or "")
            if not text or len(text) > 2000:
                return Reply(400, {"ok": False, "error_code": 400, "description": "text is empty or too long"})
            self.delivered.append(params)
            return Reply(200, {"ok": True, "result": {"message_id": f"zm{next(self._message_ids)}",
                                                      "date": int(time.time() * 1000)}})
        if method == "getMe":
            return Reply(200, {"ok": True, "result": {"id": "1234567890", "account_name": "Bot Test",
                                                      "account_type": "BASIC", "can_join_groups": False}})
        if method == "setWebhook":
            if not str(params.get("url", "")).startswith("https://"):
                return Reply(400, {"ok": False, "error_code": 400, "description": "url must be https"})
            self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
            return Reply(200, {"ok": True, "result": {"url": params["url"], "updated_at": int(time.time() * 1000)}})
        if method == "deleteWebhook":
            self.webhook = {}
            return Reply(200, {"ok": True, "result": {"url": "", "updated_at": int(time.time() * 1000)}})
        if method == "getWebhookInfo":
            return Reply(200, {"ok": True, "result": {"url": self.webhook.get("url", ""),
                                                      "updated_at": 0, "has_custom_certificate": False}})
        if method == "getUpdates":
            return Reply(200, {"ok": False, "error_code": 408, "description": "Request timeout"})
        if method in {"sendPhoto", "sendChatAction", "sendSticker"}:
            return Reply(200, {"ok": True, "result": {"message_id": f"zm{next(self._message_ids)}"}})
        return Reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    def sent_texts(self, chat_id: str | None = None) -> list[str]:
        sent = list(self.delivered)
        return [str(params["text"]) for params in sent if chat_id is None or params.get("chat_id") == chat_id]
