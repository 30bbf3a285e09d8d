"""Fake Telegram Bot API: POST /bot<token>/<method>, form or JSON parameters, Telegram's envelope."""
from __future__ import annotations

import itertools
import time
from typing import Any

from tests.gateway.fakes.platform_base import FakePlatform, RecordedRequest, Reply

TOKEN = "123456:TEST-telegram-token"


class FakeTelegram(FakePlatform):
    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self._message_ids = itertools.count(1000)
        self.delivered: list[dict[str, Any]] = []     # sendMessage calls answered ok, in order

    @property
    def api_base(self) -> str:
        """The value for TELEGRAM_API_BASE (PTB appends the token)."""
        return f"{self.url}/bot"

    def respond(self, request: RecordedRequest) -> Reply:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            return Reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = request.path.removeprefix(prefix)
        params = request.params()
        if method == "sendMessage":
            if not str(params.get("text") or "").strip():
                return Reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"})
            result: Any = {
                "message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"}, "text": params["text"],
            }
            if params.get("reply_markup"):
                result["reply_markup"] = params["reply_markup"]
            self.delivered.append(params)
            return Reply(200, {"ok": True, "result": result})
        if method == "getMe":
            return Reply(200, {"ok": True, "result": {"id": 123456, "is_bot": True, "first_name": "Test",
                                                      "username": "test_bot"}})
        if method in {"answerCallbackQuery", "setWebhook", "deleteWebhook", "sendChatAction"}:
            return Reply(200, {"ok": True, "result": True})
        if method == "getWebhookInfo":
            return Reply(200, {"ok": True, "result": {"url": "", "has_custom_certificate": False,
                                                      "pending_update_count": 0}})
        return Reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    # -- what the person saw -------------------------------------------------------------------

    def sent_messages(self, chat_id: str | int | None = None) -> list[dict[str, Any]]:
        sent = list(self.delivered)
        return [params for params in sent if chat_id is None or str(params.get("chat_id")) == str(chat_id)]

    def sent_texts(self, chat_id: str | int | None = None) -> list[str]:
        return [str(params["text"]) for params in self.sent_messages(chat_id)]


def rate_limited(retry_after: int) -> dict[str, Any]:
    return {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after}}
