"""Start one process of the stack with its port from the environment (used by the Procfile).

    python -m tools.serve engine | actions | gateway
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _engine() -> list[str]:
    from tools.train import current_model_path  # engine environment only

    model = current_model_path()
    if model is None:
        sys.exit("No trained model: run `make model` first.")
    endpoints = os.environ.get("RASA_ENDPOINTS", str(ROOT / "endpoints.yml"))
    return [
        str(Path(sys.executable).parent / "rasa"), "run",
        "--model", str(model), "--endpoints", endpoints,
        "--port", os.environ.get("RASA_PORT", "5005"),
        "--interface", os.environ.get("RASA_HOST", "127.0.0.1"),
        "--credentials", str(ROOT / "credentials.yml"),
    ]


def _actions() -> list[str]:
    return [
        str(Path(sys.executable).parent / "rasa"), "run", "actions",
        "--actions", "actions",
        "--port", os.environ.get("ACTIONS_PORT", "5055"),
    ]


def _gateway() -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory",
        "--host", os.environ.get("HOST", "127.0.0.1"),
        "--port", os.environ.get("PORT", "8000"),
        "--proxy-headers",
    ]


def main() -> None:
    commands = {"engine": _engine, "actions": _actions, "gateway": _gateway}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python -m tools.serve {'|'.join(commands)}")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.chdir(ROOT)
    argv = commands[sys.argv[1]]()
    os.execv(argv[0], argv)  # noqa: S606 - replace this process, as the Procfile expects


if __name__ == "__main__":
    main()
