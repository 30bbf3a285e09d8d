"""The engine and its actions in one process: the trained model answers through the real actions,
with no action server and no port (used by `make eval MODE=answers`, `make shell`).

    LocalEngine(model).send(sender, text) -> the bot messages, as the REST channel returns them

The model is the current one (tools.train.current_model_path()) unless ENGINE_MODEL names another.
"""
from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _quiet() -> None:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    for name in ("rasa", "rasa_sdk", "tensorflow", "absl", "asyncio"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # Rasa's structlog events otherwise print at debug level on stdout, between the bot's bubbles.
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.ERROR)


class LocalEngine:
    """A trained model whose custom actions run in this process (rasa_sdk's executor)."""

    def __init__(self, model_path: Path | None = None) -> None:
        _quiet()
        # Questions from evaluations and test chats are not the editors' business.
        os.environ.setdefault("UNANSWERED_PATH", str(ROOT / "build" / "unanswered.local.jsonl"))
        from rasa.core.agent import Agent
        from rasa.utils.endpoints import EndpointConfig
        from rasa_sdk.executor import ActionExecutor

        if model_path is None and os.environ.get("ENGINE_MODEL"):
            model_path = Path(os.environ["ENGINE_MODEL"])  # another model, e.g. an experiment
        if model_path is None:
            from tools.train import current_model_path

            model_path = current_model_path()
            if model_path is None:
                raise SystemExit("No model for the current inputs: run `make model` first.")

        executor = ActionExecutor()
        executor.register_package("actions")

        class InProcessActions(EndpointConfig):
            """The action endpoint, answered by calling the executor instead of HTTP."""

            async def request(self, method: str = "post", subpath: str | None = None, **kwargs: Any) -> Any:
                return await executor.run(kwargs["json"])

        self._loop = asyncio.new_event_loop()
        self._agent = Agent.load(str(model_path), action_endpoint=InProcessActions(url="in-process://actions"))

    def send(self, sender_id: str, text: str) -> list[dict[str, Any]]:
        """The bot's messages for one user message (the REST channel's shape)."""
        return self._loop.run_until_complete(self._agent.handle_text(text, sender_id=sender_id)) or []

    def close(self) -> None:
        self._loop.close()


def first_topic(messages: list[dict[str, Any]]) -> str:
    """meta.topic of the first bot message; a message without `custom` counts as out_of_scope
    (docs/architecture.md), and so does silence."""
    if not messages:
        return "out_of_scope"
    custom = messages[0].get("custom") or {}
    return str((custom.get("meta") or {}).get("topic") or "out_of_scope")




