"""Score topic predictions against an evaluation file (shared/PRODUCT.md). Standard library only.

The file is TSV, UTF-8, header `text<TAB>topics`; `topics` lists the acceptable codes joined by `|`.
A prediction is right when it is one of the acceptable codes. The report prints per-topic precision and
recall, the confusion pairs, and as its last line one JSON object:
{"n", "accuracy", "accuracy_stripped", "macro_f1", "oos_recall"}.
Used in-process by tools.eval (engine) and over HTTP by the gateway's evaluation.
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.vietnamese import fold_diacritics

OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Case:
    text: str
    topics: tuple[str, ...]  # acceptable topic codes; the first is the reference for confusion pairs


class EvalFileError(ValueError):
    """Raised when an evaluation file does not follow the `text<TAB>topics` format."""


def read_cases(path: Path) -> list[Case]:
    """The cases of an evaluation file, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or [c.strip() for c in rows[0][:2]] != ["text", "topics"]:
        raise EvalFileError(f"{path}: the first line must be the header 'text<TAB>topics'")
    cases: list[Case] = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise EvalFileError(f"{path}:{number}: expected 'text<TAB>topics'")
        topics = tuple(t.strip() for t in row[1].split("|") if t.strip())
        cases.append(Case(row[0].strip(), topics))
    if not cases:
        raise EvalFileError(f"{path}: no cases")
    return cases


def stripped(cases: Sequence[Case]) -> list[Case]:
    """The same cases with every Vietnamese diacritic removed from the text (đ → d)."""
    return [Case(fold_diacritics(c.text), c.topics) for c in cases]


@dataclass(frozen=True)
class TopicScore:
    topic: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Report:
    n: int
    accuracy: float
    accuracy_stripped: float
    macro_f1: float
    oos_recall: float
    per_topic: tuple[TopicScore, ...]
    confusions: tuple[tuple[str, str, int], ...]  # (expected, predicted, count), most frequent first
    errors: tuple[tuple[str, str, str], ...]  # (text, expected, predicted) on the accented copy

    def summary(self) -> dict[str, float | int]:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "accuracy_stripped": round(self.accuracy_stripped, 4),
            "macro_f1": round(self.macro_f1, 4),
            "oos_recall": round(self.oos_recall, 4),
        }


def _is_right(case: Case, predicted: str) -> bool:
    return predicted in case.topics


def _gold(case: Case, predicted: str) -> str:
    """The reference topic: the predicted one when it is acceptable, else the first listed."""
    return predicted if _is_right(case, predicted) else case.topics[0]


def _accuracy(cases: Sequence[Case], predictions: Sequence[str]) -> float:
    return sum(_is_right(c, p) for c, p in zip(cases, predictions, strict=True)) / len(cases)


def score(
    cases: Sequence[Case], predictions: Sequence[str], predictions_stripped: Sequence[str]
) -> Report:
    """Score predictions on the accented cases and on their stripped copy."""
    if not (len(cases) == len(predictions) == len(predictions_stripped)):
        raise ValueError("one prediction per case is needed, for both copies")
    gold = [_gold(c, p) for c, p in zip(cases, predictions, strict=True)]
    topics = sorted(set(gold) | set(predictions))
    per_topic: list[TopicScore] = []
    for topic in topics:
        tp = sum(g == topic and p == topic for g, p in zip(gold, predictions, strict=True))
        predicted = sum(p == topic for p in predictions)
        support = sum(g == topic for g in gold)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_topic.append(TopicScore(topic, precision, recall, f1, support))
    scored = [t for t in per_topic if t.support]
    macro_f1 = sum(t.f1 for t in scored) / len(scored) if scored else 0.0
    # out_of_scope recall (accented copy): of the cases whose only acceptable answer is out_of_scope,
    # how many the bot declined instead of answering with a policy topic.
    oos = [i for i, c in enumerate(cases) if c.topics == (OUT_OF_SCOPE,)]
    oos_hits = sum(predictions[i] == OUT_OF_SCOPE for i in oos)
    oos_recall = oos_hits / len(oos) if oos else 1.0
    pairs = Counter((g, p) for g, p in zip(gold, predictions, strict=True) if g != p)
    errors = tuple((c.text, g, p) for c, g, p in zip(cases, gold, predictions, strict=True) if g != p)
    return Report(
        n=len(cases),
        accuracy=_accuracy(cases, predictions),
        accuracy_stripped=_accuracy(cases, predictions_stripped),
        macro_f1=macro_f1,
        oos_recall=oos_recall,
        per_topic=tuple(per_topic),
        confusions=tuple((g, p, n) for (g, p), n in pairs.most_common()),
        errors=errors,
    )


def evaluate(cases: Sequence[Case], predict: Callable[[list[str]], list[str]]) -> Report:
    """Run `predict` (texts → topic codes) on the cases and on their stripped copy, then score."""
    predictions = predict([c.text for c in cases])
    predictions_stripped = predict([c.text for c in stripped(cases)])
    return score(cases, predictions, predictions_stripped)


def render(report: Report, *, show_errors: bool = True) -> str:
    """The printed report; its last line is the JSON summary."""
    lines = [f"{'topic':<24}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"]
    for t in report.per_topic:
        lines.append(f"{t.topic:<24}{t.precision:>10.3f}{t.recall:>8.3f}{t.f1:>8.3f}{t.support:>9}")
    lines.append("")
    lines.append("confusion pairs (expected -> predicted: count)")
    lines.extend(f"  {g} -> {p}: {n}" for g, p, n in report.confusions)
    if not report.confusions:
        lines.append("  none")
    if show_errors and report.errors:
        lines.append("")
        lines.append("errors (accented copy)")
        lines.extend(f"  [{g} -> {p}] {text}" for text, g, p in report.errors)
    lines.append("")
    lines.append(json.dumps(report.summary(), ensure_ascii=False))
    return "\n".join(lines)
