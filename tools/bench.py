"""`make bench`: latency through the whole stack and resident memory of each process.

Starts engine, actions and gateway on free ports (tools.stack), sends held-out questions through the
web chat API one at a time, each from a new person, and prints the figures.
"""
from __future__ import annotations

import argparse
import statistics
import time
import uuid
from pathlib import Path

from tools.stack import ROOT, running_stack

ENGINE_AND_ACTIONS_BUDGET_MIB = 1536


def _questions(path: Path, limit: int) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t", 1)[0] for line in lines if line.strip()][:limit]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", type=Path, default=ROOT / "tests/data/dev.tsv")
    parser.add_argument("-n", type=int, default=100, help="questions to send")
    args = parser.parse_args()

    questions = _questions(args.file, args.n)
    with running_stack() as stack:
        print(f"stack ready in {stack.ready_seconds:.1f} s")
        stack.chat(f"bench-warmup-{uuid.uuid4().hex}", "xin chào")
        first_turn_ms: list[float] = []
        for question in questions:
            started = time.perf_counter()
            stack.chat(f"bench-{uuid.uuid4().hex}", question)
            first_turn_ms.append((time.perf_counter() - started) * 1000)
        # A person's second message: no consent notice, the ordinary path. One person per question, so
        # the per-person rate limit (20 a minute) never answers for the engine.
        next_turn_ms: list[float] = []
        for question in questions:
            sender = f"bench-{uuid.uuid4().hex}"
            stack.chat(sender, "xin chào")
            started = time.perf_counter()
            stack.chat(sender, question)
            next_turn_ms.append((time.perf_counter() - started) * 1000)
        rss = stack.rss_mib()

    for label, values in (("first message of a person", first_turn_ms), ("later message", next_turn_ms)):
        print(
            f"web chat round trip, {label} (n={len(values)}): "
            f"median {statistics.median(values):.0f} ms, p95 {_percentile(values, 0.95):.0f} ms, "
            f"max {max(values):.0f} ms"
        )
    for name, mib in rss.items():
        print(f"resident memory {name}: {mib:.0f} MiB")
    engine_and_actions = rss["engine"] + rss["actions"]
    verdict = "within" if engine_and_actions < ENGINE_AND_ACTIONS_BUDGET_MIB else "OVER"
    print(f"engine + actions: {engine_and_actions:.0f} MiB ({verdict} the {ENGINE_AND_ACTIONS_BUDGET_MIB} MiB budget)")


if __name__ == "__main__":
    main()
