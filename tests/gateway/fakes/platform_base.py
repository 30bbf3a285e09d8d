"""A tiny local HTTP server that plays a messaging platform's API in tests.

It listens on 127.0.0.1 on a random port (so the adapters are exercised over real HTTP), records every
request, and can be scripted to answer the next matching calls with a given status and body (429 with
retry_after, 5xx …) before going back to its normal behaviour.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]            # lower-cased names
    body: bytes
    received_at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {key: values[-1] for key, values in parse_qs(self.body.decode()).items()}

    def params(self) -> dict[str, Any]:
        """The call's parameters, whether sent as JSON or as a form (PTB JSON-encodes form values)."""
        if self.headers.get("content-type", "").startswith("application/json"):
            return dict(self.json() or {})
        params: dict[str, Any] = {}
        for key, value in self.form().items():
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        return params


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Scripted:
    path_suffix: str
    reply: Reply
    times: int


class FakePlatform:
    """Subclasses implement `respond(request) -> Reply`; scripted replies take precedence."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._scripted: deque[_Scripted] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakePlatform:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = RecordedRequest(
                    method=self.command,
                    path=parts.path,
                    query={key: values[-1] for key, values in parse_qs(parts.query).items()},
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=body,
                )
                reply = fake._dispatch(request)
                payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.headers.get("Content-Type", "application/json"))
                for name, value in reply.headers.items():
                    if name != "Content-Type":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return   # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakePlatform:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting ---------------------------------------------------------------------------------

    def script(self, path_suffix: str, status: int, body: Any, *, times: int = 1,
               headers: dict[str, str] | None = None) -> None:
        """Answer the next `times` requests whose path ends with `path_suffix` with this reply."""
        with self._lock:
            self._scripted.append(_Scripted(path_suffix, Reply(status, body, headers or {}), times))

    def _dispatch(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            for scripted in self._scripted:
                if request.path.endswith(scripted.path_suffix):
                    scripted.times -= 1
                    if scripted.times <= 0:
                        self._scripted.remove(scripted)
                    return scripted.reply
        return self.respond(request)

    def respond(self, request: RecordedRequest) -> Reply:
        raise NotImplementedError

    # -- assertions --------------------------------------------------------------------------------

    def calls(self, path_suffix: str) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if request.path.endswith(path_suffix)]

    def wait_for(self, path_suffix: str, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        """Block until `count` matching requests arrived (answers are sent in background tasks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.calls(path_suffix)
            if len(calls) >= count:
                return calls
            time.sleep(0.02)
        return self.calls(path_suffix)
