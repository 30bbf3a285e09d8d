"""Score the whole running stack through the web chat API (`make eval FILE=... URL=http://host:port`).

Each line of the evaluation file is sent as the first message of a fresh sender_id; the predicted topic
is the meta.topic of the first bot answer (the consent notice and other gateway notices are skipped).
The file is scored as written and with its diacritics removed; tools/eval_report.py prints the report,
whose last line is the JSON summary. Afterwards each test sender's data is deleted through the same
"xóa dữ liệu của tôi" flow a person uses (pass --keep to leave it).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

from tools.eval_report import evaluate, read_cases, render

DEFAULT_CONCURRENCY = 4
TIMEOUT = 30.0


def topic_of(body: dict[str, Any]) -> str:
    """The topic of the first bot answer; gateway notices (consent, waiting …) are not answers."""
    messages = body.get("messages") or []
    for message in messages:
        meta = message.get("meta") or {}
        if meta.get("kind") in (None, "answer") and meta.get("topic"):
            return str(meta["topic"])
    for message in messages:
        meta = message.get("meta") or {}
        if meta.get("kind") != "consent" and meta.get("topic"):
            return str(meta["topic"])
    return "out_of_scope"


class HttpEvaluator:
    def __init__(self, url: str, *, concurrency: int, keep: bool) -> None:
        self.url = url.rstrip("/")
        self.concurrency = concurrency
        self.keep = keep
        self.senders: list[str] = []

    async def _ask(self, client: httpx.AsyncClient, limit: asyncio.Semaphore, text: str) -> str:
        sender = f"eval-{uuid.uuid4().hex}"
        self.senders.append(sender)
        async with limit:
            response = await client.post("/api/v1/chat", json={"sender_id": sender, "text": text, "payload": None})
        if response.status_code != 200:
            return f"error_{response.status_code}"
        return topic_of(response.json())

    async def _forget(self, client: httpx.AsyncClient, limit: asyncio.Semaphore, sender: str) -> None:
        async with limit:
            await client.post("/api/v1/chat", json={"sender_id": sender, "text": "xóa dữ liệu của tôi"})
            await client.post("/api/v1/chat", json={"sender_id": sender, "text": "có"})

    async def predict_async(self, texts: list[str]) -> list[str]:
        limit = asyncio.Semaphore(self.concurrency)
        async with httpx.AsyncClient(base_url=self.url, timeout=TIMEOUT) as client:
            return list(await asyncio.gather(*(self._ask(client, limit, t) for t in texts)))

    async def cleanup(self) -> None:
        if self.keep or not self.senders:
            return
        limit = asyncio.Semaphore(self.concurrency)
        async with httpx.AsyncClient(base_url=self.url, timeout=TIMEOUT) as client:
            await asyncio.gather(*(self._forget(client, limit, s) for s in self.senders), return_exceptions=True)

    def predict(self, texts: list[str]) -> list[str]:
        return asyncio.run(self.predict_async(texts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.eval_http", description=__doc__)
    parser.add_argument("--file", required=True, type=Path)
    parser.add_argument("--url", required=True, help="the gateway, e.g. http://127.0.0.1:8000")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--keep", action="store_true", help="keep the test conversations")
    args = parser.parse_args(argv)

    try:
        health = httpx.get(args.url.rstrip("/") + "/healthz", timeout=10)
    except httpx.HTTPError as error:
        print(f"gateway not reachable at {args.url}: {type(error).__name__}", file=sys.stderr)
        return 2
    if health.status_code != 200:
        print(f"warning: /healthz answered {health.status_code}: {health.text}", file=sys.stderr)

    evaluator = HttpEvaluator(args.url, concurrency=args.concurrency, keep=args.keep)
    cases = read_cases(args.file)
    report = evaluate(cases, evaluator.predict)
    asyncio.run(evaluator.cleanup())
    print(render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
