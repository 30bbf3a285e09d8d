"""A fake engine: a tiny HTTP server on 127.0.0.1 speaking Rasa's REST channel, with scripted replies.

It also answers the health probes of both the engine (`GET /`) and the action server (`GET /health`),
so one instance stands in for both. Tests change `script`, set `down`, or read `requests`.
"""
from __future__ import annotations

import json
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Custom = dict[str, Any]
Script = Callable[[str, str, dict[str, Any]], list[Custom]]

LOAN_SOURCE = {"document": "Quyết định 22/2023/QĐ-TTg", "article": "Điều 9", "date": "2023-08-17",
               "url": "https://vanban.chinhphu.vn/?pageid=27160&docid=208517"}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def bubble(text: str, topic: str, *, article_id: str | None = None, sources: list[dict[str, Any]] | None = None,
           buttons: list[dict[str, str]] | None = None, handoff: dict[str, str] | None = None) -> Custom:
    return {"text": text, "buttons": buttons or [],
            "meta": {"topic": topic, "article_id": article_id, "sources": sources or [],
                     "reviewed_at": "2026-11-26", "review_status": "confirmed", "handoff": handoff}}


def loan_answer() -> list[Custom]:
    return [
        bubble("Người chấp hành xong án phạt tù được vay vốn theo Quyết định 22/2023/QĐ-TTg với lãi suất "
               "bằng lãi suất cho vay hộ cận nghèo.", "loan_22_2023", article_id="loan_22_2023.interest",
               sources=[LOAN_SOURCE]),
        bubble("Bạn đến Phòng giao dịch Ngân hàng Chính sách xã hội nơi cư trú để làm hồ sơ.\n"
               "Nguồn: Quyết định 22/2023/QĐ-TTg, Điều 9 · cập nhật 26/11/2026", "loan_22_2023",
               article_id="loan_22_2023.interest", sources=[LOAN_SOURCE],
               buttons=[{"title": "Ai được vay?", "payload": '/choose_article{"article_id":"loan_22_2023.who"}'},
                        {"title": "Gặp cán bộ", "payload": "/handoff"}]),
    ]


def default_script(sender: str, message: str, metadata: dict[str, Any]) -> list[Custom]:
    """Answers chosen by keywords, like the real bot would for these test sentences."""
    folded = fold(message)
    if folded.startswith("echo "):
        return [bubble(f"đáp: {message[5:]}", "out_of_scope")]
    if "loan_22_2023.who" in message:
        return [bubble("Người đã chấp hành xong án phạt tù, cư trú hợp pháp.", "loan_22_2023",
                       article_id="loan_22_2023.who", sources=[LOAN_SOURCE])]
    if "vay von" in folded or "lai suat" in folded:
        return loan_answer()
    if any(word in folded for word in ("tu tu", "muon chet", "bi de doa", "nguy hiem")):
        return [bubble("Bạn hãy gọi ngay 113 (công an) hoặc 115 (cấp cứu). Cán bộ sẽ liên hệ bạn ngay.",
                       "crisis", article_id="crisis.now",
                       handoff={"reason": "crisis", "priority": "urgent"})]
    if message == "/handoff" or "gap can bo" in folded:
        return [bubble("Mình đã chuyển câu hỏi cho cán bộ.", "handoff", article_id="handoff.request",
                       handoff={"reason": "user_request", "priority": "normal"})]
    if "xin chao" in folded or folded.strip() in {"chao", "hi", "alo"}:
        return [bubble("Chào bạn! Mình có thể giúp gì?", "greeting", article_id="greeting.hello")]
    return [bubble("Mình chưa hiểu câu hỏi. Bạn hỏi về vay vốn, học nghề, lý lịch tư pháp… nhé.",
                   "out_of_scope", article_id="out_of_scope.what_i_can_do")]


@dataclass
class FakeEngine:
    script: Script = default_script
    down: bool = False                       # answer 500 to everything
    delay: Callable[[str], float] = lambda message: 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self) -> None:
        self.script = default_script
        self.down = False
        self.delay = lambda message: 0.0
        self.requests.clear()

    def messages_seen(self) -> list[str]:
        return [r["message"] for r in self.requests]

    def start(self) -> FakeEngine:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: Any, content_type: str = "application/json") -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if fake.down:
                    return self._reply(500, {"error": "down"})
                if self.path == "/":
                    return self._reply(200, b"Hello from Rasa: 3.6.21", "text/plain")
                if self.path == "/health":
                    return self._reply(200, {"status": "ok"})
                return self._reply(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path != "/webhooks/rest/webhook":
                    return self._reply(404, {"error": "not found"})
                if fake.down:
                    return self._reply(500, {"error": "down"})
                fake.requests.append(body)
                time.sleep(fake.delay(body.get("message", "")))
                customs = fake.script(body["sender"], body.get("message", ""), body.get("metadata") or {})
                return self._reply(200, [{"recipient_id": body["sender"], "custom": c} for c in customs])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
