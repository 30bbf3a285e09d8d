"""Parse latency and memory of the trained NLU model, in-process; FallbackClassifier threshold sweep.

    python -m tools.bench_nlu [--file tests/data/dev.tsv] [--model models/x.tar.gz] [--rounds 3]
    python -m tools.bench_nlu --sweep-fallback [--file tests/data/dev.tsv] [--model ...]

The first prints load time, parse latency median/p95 (ms) and resident memory (current and peak).
The second re-scores the file (accented and stripped) for a grid of FallbackClassifier thresholds from
one set of parses, so thresholds are chosen on the dev set without retraining.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

from tools.eval_report import read_cases


def rss_mb() -> float:
    """Current resident set size of this process, in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _top_two(parse: dict) -> tuple[str, float, float]:
    ranking = [r for r in parse.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
    first = ranking[0] if ranking else {"name": "nlu_fallback", "confidence": 0.0}
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    return first["name"], float(first["confidence"]), float(second)


def sweep_fallback(model: NluModel, path: Path) -> None:  # noqa: F821 (engine-only import)
    from bot.topics import topic_of_intent
    from tools.eval_report import score, stripped

    cases = read_cases(path)
    accented = [_top_two(model.parse(c.text)) for c in cases]
    folded = [_top_two(model.parse(c.text)) for c in stripped(cases)]

    def topics(parses: list[tuple[str, float, float]], threshold: float, ambiguity: float) -> list[str]:
        out = []
        for name, first, second in parses:
            unsure = first < threshold or first - second < ambiguity
            out.append("out_of_scope" if unsure else (topic_of_intent(name) or name))
        return out

    print(f"{'threshold':>9} {'ambiguity':>9} {'acc':>6} {'acc_str':>7} {'oos_rec':>7} {'macro_f1':>8}")
    for threshold in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        for ambiguity in (0.0, 0.05, 0.1, 0.2):
            r = score(cases, topics(accented, threshold, ambiguity), topics(folded, threshold, ambiguity))
            print(f"{threshold:>9} {ambiguity:>9} {r.accuracy:>6.3f} {r.accuracy_stripped:>7.3f} "
                  f"{r.oos_recall:>7.3f} {r.macro_f1:>8.3f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", type=Path, default=Path("tests/data/dev.tsv"))
    parser.add_argument("--model", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sweep-fallback", action="store_true", help="score a grid of fallback thresholds")
    args = parser.parse_args(argv)

    from tools.eval import NluModel, _model_or_exit

    started = time.monotonic()
    model = NluModel(_model_or_exit(args.model))
    load_s = time.monotonic() - started
    if args.sweep_fallback:
        sweep_fallback(model, args.file)
        return
    texts = [c.text for c in read_cases(args.file)]
    model.parse(texts[0])  # first call builds TensorFlow functions; not a user-visible latency
    timings: list[float] = []
    for _ in range(args.rounds):
        for text in texts:
            t0 = time.perf_counter()
            model.parse(text)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    print(json.dumps({
        "load_s": round(load_s, 1),
        "parses": len(timings),
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
        "rss_mb": round(rss_mb()),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))


if __name__ == "__main__":
    main()
