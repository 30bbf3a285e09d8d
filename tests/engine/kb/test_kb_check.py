"""knowledge_base.check: one line per failure naming the file and the article; exit codes."""
from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge_base.check import FIXED_ARTICLE_IDS, check_directory, main, months_before

ROOT = Path(__file__).resolve().parents[3]
# The day the real articles were reviewed; checks run "as of" it so fixtures never age.
REVIEW_DAY = datetime.date(2026, 11, 26)
ONE_TOPIC = ("judicial_record",)


def problem_lines(directory: Path, *, topics: tuple[str, ...] = ONE_TOPIC, max_age_months: int = 12) -> list[str]:
    _, problems = check_directory(
        directory, today=REVIEW_DAY, max_age_months=max_age_months, topics=topics, fixed_ids=()
    )
    return [str(problem) for problem in problems]


def only_line_with(lines: list[str], text: str) -> str:
    matching = [line for line in lines if text in line]
    assert len(matching) == 1, lines
    return matching[0]


def test_valid_fixture_has_no_problems(fixtures: Path) -> None:
    located, problems = check_directory(
        fixtures / "valid", today=REVIEW_DAY, topics=("judicial_record", "handoff"), fixed_ids=("handoff.request",)
    )
    assert problems == []
    assert len(located) == 3


def test_missing_source(fixtures: Path) -> None:
    lines = problem_lines(fixtures / "missing_source")

    unsourced = only_line_with(lines, "factual article without sources")
    assert unsourced.startswith(
        "tests/engine/kb/fixtures/missing_source/judicial_record.yml: judicial_record.unsourced: "
    )
    no_article = only_line_with(lines, "names a document and its article")
    assert "missing_source/judicial_record.yml: judicial_record.no_article:" in no_article
    assert len(lines) == 2


def test_duplicate_id(fixtures: Path) -> None:
    lines = problem_lines(fixtures / "duplicate_id")

    line = only_line_with(lines, "duplicate id")
    assert "duplicate_id/judicial_record.yml: judicial_record.kinds: duplicate id (first in " in line


def test_stale_review_date(fixtures: Path) -> None:
    line = only_line_with(problem_lines(fixtures / "stale"), "review overdue")
    assert "stale/judicial_record.yml: judicial_record.old_office: review overdue: reviewed_at 2025-06-30" in line
    assert "older than 12 months" in line


def test_review_age_is_configurable(fixtures: Path) -> None:
    assert problem_lines(fixtures / "stale", max_age_months=18) == []
    assert len(problem_lines(fixtures / "stale", max_age_months=6)) == 1


def test_review_date_in_the_future(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "stale" / "judicial_record.yml").read_text(encoding="utf-8")
    (tmp_path / "judicial_record.yml").write_text(text.replace("2025-06-30", "2027-01-01"), encoding="utf-8")
    line = only_line_with(problem_lines(tmp_path), "in the future")
    assert "judicial_record.yml: judicial_record.old_office:" in line


def test_button_to_nowhere(fixtures: Path) -> None:
    lines = problem_lines(fixtures / "dangling_button")

    missing = only_line_with(lines, "leads to missing article")
    assert "dangling_button/judicial_record.yml: judicial_record.kinds: button 'Phí bao nhiêu?'" in missing
    assert "'judicial_record.fees'" in missing
    unknown = only_line_with(lines, "unknown action")
    assert "dangling_button/judicial_record.yml: judicial_record.kinds: button 'Gọi điện'" in unknown


def test_over_long_bubble(fixtures: Path) -> None:
    lines = problem_lines(fixtures / "long_bubble")

    line = only_line_with(lines, "characters as sent")
    assert "long_bubble/judicial_record.yml: judicial_record.too_long: bubble 1 has" in line
    assert "bubble 1 has 650 characters as sent (max 600)" in line
    # 588 characters plus the closing lines would overflow; they go to a bubble of their own.
    assert not any("judicial_record.long_tail" in other for other in lines)


def test_missing_topic(fixtures: Path) -> None:
    lines = problem_lines(fixtures / "missing_topic", topics=("judicial_record", "expungement"))

    line = only_line_with(lines, "has no article")
    assert line == (
        "tests/engine/kb/fixtures/missing_topic/expungement.yml: expungement.*: topic 'expungement' has no article"
    )


def test_missing_fixed_id_names_its_file(fixtures: Path) -> None:
    _, problems = check_directory(
        fixtures / "valid", today=REVIEW_DAY, topics=("judicial_record", "handoff"), fixed_ids=("crisis.now",)
    )
    assert [str(p) for p in problems] == [
        "tests/engine/kb/fixtures/valid/crisis.yml: crisis.now: fixed article id is missing (the actions rely on it)"
    ]


def test_malformed_article_reports_every_field(fixtures: Path) -> None:
    lines = problem_lines(fixtures / "malformed")
    # Its only article is unreadable, so the topic is also reported as uncovered.
    assert lines.pop() == (
        "tests/engine/kb/fixtures/malformed/judicial_record.yml: judicial_record.*: "
        "topic 'judicial_record' has no article"
    )
    assert all(line.startswith("tests/engine/kb/fixtures/malformed/judicial_record.yml: judicial_record.kinds: ")
               for line in lines)
    assert any("missing required field 'title'" in line for line in lines)
    assert any("'audience' must be a list" in line for line in lines)
    assert any("reviewed_at" in line for line in lines)
    assert len(lines) >= 5


def test_schema_values(tmp_path: Path, fixtures: Path) -> None:
    text = (fixtures / "valid" / "judicial_record.yml").read_text(encoding="utf-8")
    text = text.replace("audience: [family]", "audience: [friends]")
    text = text.replace("review_status: needs_officer_review", "review_status: maybe")
    text = text.replace("id: judicial_record.kinds", "id: expungement.kinds")
    (tmp_path / "judicial_record.yml").write_text(text, encoding="utf-8")

    lines = problem_lines(tmp_path)
    assert any("judicial_record.relative: audience 'friends'" in line for line in lines)
    assert any("judicial_record.relative: review_status 'maybe'" in line for line in lines)
    assert any("expungement.kinds: id must be '<topic>.<slug>'" in line for line in lines)


def test_non_factual_only_for_conversation_topics(tmp_path: Path, fixtures: Path) -> None:
    text = (fixtures / "missing_topic" / "judicial_record.yml").read_text(encoding="utf-8")
    (tmp_path / "judicial_record.yml").write_text(text.replace("factual: true", "factual: false"), encoding="utf-8")
    line = only_line_with(problem_lines(tmp_path), "factual: false is only for")
    assert "judicial_record.kinds" in line


def test_empty_answer_and_no_questions(tmp_path: Path, fixtures: Path) -> None:
    text = (fixtures / "missing_topic" / "judicial_record.yml").read_text(encoding="utf-8")
    text = text.replace("questions: [phiếu số 1]", "questions: []")
    text = text.replace('answer: ["Chủ đề xóa án tích chưa có bài nào."]', 'answer: ["  "]')
    (tmp_path / "judicial_record.yml").write_text(text, encoding="utf-8")
    lines = problem_lines(tmp_path)
    assert any("judicial_record.kinds: no questions" in line for line in lines)
    assert any("judicial_record.kinds: empty answer" in line for line in lines)


def test_file_named_after_another_topic(tmp_path: Path, fixtures: Path) -> None:
    (tmp_path / "expungement.yml").write_bytes((fixtures / "missing_topic" / "judicial_record.yml").read_bytes())
    line = only_line_with(problem_lines(tmp_path), "is named")
    assert "expungement.yml: -: file holds topic 'judicial_record'" in line


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 11, 26), 12, datetime.date(2025, 11, 26)),
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 1, 15), 13, datetime.date(2024, 12, 15)),
    ],
)
def test_months_before(day: datetime.date, months: int, expected: datetime.date) -> None:
    assert months_before(day, months) == expected


def test_cli_prints_one_line_per_failure_and_exits_1(fixtures: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--dir", str(fixtures / "stale")], today=REVIEW_DAY) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(line.endswith("older than 12 months") and "judicial_record.old_office" in line for line in out)
    # The full taxonomy is required by the command line: the other topics are reported missing.
    assert any("crisis.yml: crisis.now: fixed article id is missing" in line for line in out)


def test_cli_flag_overrides_env(
    fixtures: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_MAX_AGE_MONTHS", "24")
    main(["--dir", str(fixtures / "stale")], today=REVIEW_DAY)
    assert "review overdue" not in capsys.readouterr().out
    main(["--dir", str(fixtures / "stale"), "--max-age-months", "12"], today=REVIEW_DAY)
    assert "review overdue" in capsys.readouterr().out


def test_cli_rejects_bad_env(fixtures: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_MAX_AGE_MONTHS", "twelve")
    with pytest.raises(SystemExit, match="KB_MAX_AGE_MONTHS"):
        main(["--dir", str(fixtures / "valid")], today=REVIEW_DAY)


def test_fixed_ids_are_those_of_the_architecture() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for article_id in FIXED_ARTICLE_IDS:
        assert f"`{article_id}`" in text


def test_real_knowledge_base_passes() -> None:
    """`make kb-check`: the articles in knowledge_base/articles/ pass every check today."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KB_MAX_AGE_MONTHS", None)
    result = subprocess.run(
        [sys.executable, "-m", "knowledge_base.check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("knowledge base OK: ")
    assert len(result.stdout.strip().splitlines()) == 1
