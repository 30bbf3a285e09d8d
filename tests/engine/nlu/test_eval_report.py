"""tools/eval_report.py: reading the evaluation file, the stripped copy, the scores, the last JSON line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.eval_report import Case, EvalFileError, evaluate, read_cases, render, score, stripped


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "cases.tsv"
    path.write_text(body, encoding="utf-8")
    return path


def test_reads_cases_with_several_acceptable_topics(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "text\ttopics\nxin lý lịch tư pháp\tjudicial_record\nxóa án\texpungement|judicial_record\n\n"
    )
    assert read_cases(path) == [
        Case("xin lý lịch tư pháp", ("judicial_record",)),
        Case("xóa án", ("expungement", "judicial_record")),
    ]


def test_rejects_a_file_without_the_header(tmp_path: Path) -> None:
    with pytest.raises(EvalFileError, match="header"):
        read_cases(_write(tmp_path, "xin lltp\tjudicial_record\n"))


def test_rejects_a_line_without_topics(tmp_path: Path) -> None:
    with pytest.raises(EvalFileError, match=":2:"):
        read_cases(_write(tmp_path, "text\ttopics\nxin lltp\n"))


def test_stripped_copy_folds_every_diacritic() -> None:
    assert stripped([Case("Đăng ký tạm trú", ("residence_identity",))]) == [
        Case("Dang ky tam tru", ("residence_identity",))
    ]


def test_scores_accuracy_per_topic_and_out_of_scope_recall() -> None:
    cases = [
        Case("a", ("judicial_record",)),
        Case("b", ("judicial_record",)),
        Case("c", ("expungement", "judicial_record")),
        Case("d", ("out_of_scope",)),
        Case("e", ("out_of_scope",)),
    ]
    report = score(
        cases,
        ["judicial_record", "expungement", "judicial_record", "out_of_scope", "greeting"],
        ["judicial_record", "judicial_record", "judicial_record", "out_of_scope", "out_of_scope"],
    )
    assert report.accuracy == pytest.approx(3 / 5)
    assert report.accuracy_stripped == pytest.approx(1.0)
    assert report.oos_recall == pytest.approx(0.5)
    by_topic = {t.topic: t for t in report.per_topic}
    assert by_topic["judicial_record"].precision == pytest.approx(1.0)
    assert by_topic["judicial_record"].recall == pytest.approx(2 / 3)
    assert by_topic["expungement"].precision == 0.0
    assert ("judicial_record", "expungement", 1) in report.confusions
    assert ("out_of_scope", "greeting", 1) in report.confusions


def test_last_line_is_the_json_summary_of_the_product_contract() -> None:
    cases = [Case("Xin chào", ("greeting",)), Case("thời tiết", ("out_of_scope",))]
    seen: list[list[str]] = []

    def predict(texts: list[str]) -> list[str]:
        seen.append(texts)
        return ["greeting", "out_of_scope"]

    output = render(evaluate(cases, predict))
    summary = json.loads(output.splitlines()[-1])
    assert set(summary) == {"n", "accuracy", "accuracy_stripped", "macro_f1", "oos_recall"}
    assert summary == {"n": 2, "accuracy": 1.0, "accuracy_stripped": 1.0, "macro_f1": 1.0, "oos_recall": 1.0}
    assert seen[1] == ["Xin chao", "thoi tiet"]  # the second pass gets the stripped copy


def test_eval_report_is_standard_library_only() -> None:
    source = Path("tools/eval_report.py").read_text(encoding="utf-8")
    imports = {line.split()[1] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"__future__", "csv", "json", "collections", "collections.abc", "dataclasses",
                        "pathlib", "bot.vietnamese"}, imports
