"""Questions the bot could not answer, for content editors: one JSON object a line in
var/unanswered.jsonl (`UNANSWERED_PATH` overrides), scrubbed of personal data, with no sender id."""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from actions.privacy import scrub

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "var" / "unanswered.jsonl"


def unanswered_path() -> Path:
    return Path(os.environ.get("UNANSWERED_PATH", str(DEFAULT_PATH)))


def record_unanswered(text: str, topic_guess: str | None, *, path: Path | None = None) -> dict[str, str | None]:
    """Append one scrubbed record and return it. Never raises on I/O: losing an editor's note must
    not cost the person their answer."""
    record = {
        "ts": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "topic_guess": topic_guess,
        "text": scrub(text),
    }
    target = path or unanswered_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    except OSError:
        pass
    return record
