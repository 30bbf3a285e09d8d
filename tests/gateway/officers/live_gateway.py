"""A real gateway process (uvicorn) on a free local port, for the browser test and the benchmark."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def create_account(env: Mapping[str, str], username: str, password: str, role: str = "officer") -> None:
    """Through the real command (it also migrates the database)."""
    done = subprocess.run([sys.executable, "-m", "gateway.officers.create", "--username", username, "--role", role,
                           "--password-stdin"], input=password + "\n", text=True, capture_output=True,
                          env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, cwd=ROOT, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"create failed: {done.stderr}")


class LiveGateway:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "PYTHONPATH": str(ROOT), "PORT": str(self.port)}
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LiveGateway:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                detail = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError("gateway exited: " + detail)
            try:
                if httpx.get(self.url + "/console", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gateway did not start within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
