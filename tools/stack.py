"""Start the whole stack (engine, actions, gateway) on free local ports, for benchmarks and full-stack tests.

Standard library only: it runs under either environment's Python.
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE_PYTHON = ROOT / ".venv/engine/bin/python"
GATEWAY_PYTHON = ROOT / ".venv/gateway/bin/python"
READY_TIMEOUT_S = 180.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    gateway_url: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ready_seconds: float = 0.0

    def chat(self, sender_id: str, text: str | None = None, payload: str | None = None) -> dict:
        body = json.dumps({"sender_id": sender_id, "text": text, "payload": payload}).encode()
        request = urllib.request.Request(  # noqa: S310 - loopback only
            f"{self.gateway_url}/api/v1/chat", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
            return json.loads(response.read())

    def rss_mib(self) -> dict[str, float]:
        """Resident memory of each process and its children, in MiB."""
        return {name: _tree_rss_kib(proc.pid) / 1024 for name, proc in self.processes.items()}


def _tree_rss_kib(pid: int) -> int:
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pending.extend(int(child) for child in children)
    return total


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def running_stack(extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    """Engine, actions and gateway with a throw-away SQLite database; stopped on exit."""
    ports = {"PORT": free_port(), "RASA_PORT": free_port(), "ACTIONS_PORT": free_port()}
    with tempfile.TemporaryDirectory(prefix="stack-") as tmp:
        env = dict(os.environ)
        env.update({key: str(value) for key, value in ports.items()})
        env.update(
            RASA_TELEMETRY_ENABLED="false",
            PYTHONPATH=str(ROOT),
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/gateway.db",
            UNANSWERED_PATH=f"{tmp}/unanswered.jsonl",
        )
        env.pop("REDIS_URL", None)
        env.update(extra_env or {})
        stack = Stack(gateway_url=f"http://127.0.0.1:{ports['PORT']}")
        started = time.monotonic()
        try:
            for name, python in (("engine", ENGINE_PYTHON), ("actions", ENGINE_PYTHON), ("gateway", GATEWAY_PYTHON)):
                log = open(Path(tmp) / f"{name}.log", "wb")
                stack.processes[name] = subprocess.Popen(
                    [str(python), "-m", "tools.serve", name], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
                )
            deadline = started + READY_TIMEOUT_S
            while not _healthy(f"{stack.gateway_url}/healthz"):
                for name, proc in stack.processes.items():
                    if proc.poll() is not None:
                        raise RuntimeError(f"{name} exited: {(Path(tmp) / f'{name}.log').read_text()[-2000:]}")
                if time.monotonic() > deadline:
                    raise TimeoutError("the stack was not healthy in time")
                time.sleep(0.5)
            stack.ready_seconds = time.monotonic() - started
            yield stack
        finally:
            for proc in stack.processes.values():
                proc.terminate()
            for proc in stack.processes.values():
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
