"""Crisis → console latency: from the POST of a crisis message to the SSE event in a connected console.

    .venv/gateway/bin/python -m tools.bench_console                 # self-contained (see below), N=20
    .venv/gateway/bin/python -m tools.bench_console --runs 50 --redis-url redis://127.0.0.1:6379/15
    printf '%s\n' "$PW" | .venv/gateway/bin/python -m tools.bench_console --url http://127.0.0.1:8000 \
        --username an --password-stdin --text "tôi muốn tự tử"  # a running stack, real engine

Self-contained: a gateway process (uvicorn, SQLite in a temporary directory, fakeredis unless --redis-url)
and a stub engine that answers every message as a crisis (so the engine's own time is ~0 and the figure
is the gateway's: store, handoff, commit, Redis publish, SSE). Against --url the real engine's time is in.
Each run: a new web-chat sender POSTs the crisis text to /api/v1/chat; the clock stops when the console's
SSE stream delivers that conversation's status_changed event. Prints each run, then the median (ms);
the last line is JSON.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEXT = "tôi bị đe dọa, nguy hiểm lắm"
API = "/api/v1/officer"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def stub_engine() -> Iterator[str]:
    """Rasa's REST channel and the health probes, answering every message as a crisis."""
    crisis = {"text": "Bạn hãy gọi ngay 113 hoặc 115. Cán bộ sẽ liên hệ bạn ngay.",
              "buttons": [], "meta": {"topic": "crisis", "article_id": "crisis.now", "sources": [],
                                      "reviewed_at": "2026-11-26", "review_status": "confirmed",
                                      "handoff": {"reason": "crisis", "priority": "urgent"}}}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._send({"status": "ok"})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            self._send([{"recipient_id": body.get("sender"), "custom": crisis}])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def local_gateway(redis_url: str | None, username: str, password: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp, stub_engine() as engine_url:
        port = _free_port()
        env = {**os.environ, "APP_ENV": "development", "VAR_DIR": tmp, "PYTHONPATH": str(ROOT),
               "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/gateway.db", "RASA_URL": engine_url,
               "ACTIONS_URL": engine_url, "RATE_LIMIT_PER_MINUTE": "100000", "PORT": str(port)}
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
        for name in [k for k in env if k.startswith(("TELEGRAM_", "ZALO_", "MESSENGER_"))]:
            env.pop(name)
        subprocess.run([sys.executable, "-m", "gateway.officers.create", "--username", username, "--role", "admin",
                        "--password-stdin"], input=password + "\n", text=True, env=env, cwd=ROOT, check=True,
                       capture_output=True, timeout=120)
        process = subprocess.Popen([sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory",
                                    "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                                   env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(url + "/console", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the gateway did not start")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


async def _listen(client: httpx.AsyncClient, events: asyncio.Queue[tuple[float, dict[str, Any]]],
                  ready: asyncio.Event) -> None:
    async with client.stream("GET", API + "/events", timeout=None) as response:
        response.raise_for_status()
        kind = ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
                if kind == "ready":
                    ready.set()
            elif line.startswith("data:") and kind == "conversation":
                await events.put((time.perf_counter(), json.loads(line[5:])))


async def measure(url: str, username: str, password: str, runs: int, text: str) -> list[float]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as officer, \
            httpx.AsyncClient(base_url=url, timeout=30) as person:
        signed = await officer.post(API + "/session", json={"username": username, "password": password})
        if signed.status_code != 200:
            raise SystemExit(f"sign-in failed: {signed.status_code} {signed.text}")
        events: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
        ready = asyncio.Event()
        listener = asyncio.create_task(_listen(officer, events, ready))
        await asyncio.wait_for(ready.wait(), timeout=10)
        latencies: list[float] = []
        try:
            for run in range(runs):
                sender = f"bench-{secrets.token_hex(6)}"
                started = time.perf_counter()
                response = await person.post("/api/v1/chat", json={"sender_id": sender, "text": text})
                response.raise_for_status()
                body = response.json()
                if body["conversation"]["status"] != "human":
                    raise SystemExit(f"run {run + 1}: the message was not escalated (is it a crisis for the engine?)")
                conversation_id = body["conversation"]["id"]
                while True:
                    arrived, event = await asyncio.wait_for(events.get(), timeout=10)
                    if event.get("conversation_id") == conversation_id and event.get("type") == "status_changed":
                        break
                latencies.append((arrived - started) * 1000)
                print(f"run {run + 1:3d}: {latencies[-1]:7.1f} ms", flush=True)
                # Resolve so the queue does not grow across runs.
                await officer.post(API + f"/conversations/{conversation_id}/resolve",
                                   headers={"X-CSRF-Token": signed.json()["csrf_token"]})
        finally:
            listener.cancel()
        return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_console", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--text", default=DEFAULT_TEXT, help="the crisis message")
    parser.add_argument("--url", help="a running gateway (otherwise one is started, with a stub engine)")
    parser.add_argument("--username", default="bench.admin")
    parser.add_argument("--password-stdin", action="store_true")
    parser.add_argument("--redis-url", help="self-contained mode: use this Redis instead of fakeredis")
    args = parser.parse_args(argv)

    if args.url:
        if not args.password_stdin:
            raise SystemExit("--url needs --password-stdin (an admin or officer account of that gateway)")
        password = sys.stdin.readline().rstrip("\r\n")
        latencies = asyncio.run(measure(args.url, args.username, password, args.runs, args.text))
        mode = "url"
    else:
        password = secrets.token_urlsafe(18)
        with local_gateway(args.redis_url, args.username, password) as url:
            latencies = asyncio.run(measure(url, args.username, password, args.runs, args.text))
        mode = "self-contained, " + ("redis" if args.redis_url else "fakeredis")
    median = statistics.median(latencies)
    print(f"crisis → console (SSE) latency: median {median:.1f} ms over {len(latencies)} runs "
          f"(min {min(latencies):.1f}, max {max(latencies):.1f}; {mode})")
    print(json.dumps({"runs": len(latencies), "median_ms": round(median, 1), "min_ms": round(min(latencies), 1),
                      "max_ms": round(max(latencies), 1), "mode": mode}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
