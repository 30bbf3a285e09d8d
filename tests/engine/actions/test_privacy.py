"""Unanswered questions are kept for editors without personal data."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from actions.privacy import EMAIL, NUMBER, PHONE, scrub
from actions.unanswered import record_unanswered


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sdt em 0912 345 678 goi lai giup", f"sdt em {PHONE} goi lai giup"),
        ("số +84912345678 nhé", f"số {PHONE} nhé"),
        ("gọi 0912.345.678", f"gọi {PHONE}"),
        ("cccd 079123456789 của tôi bị mất", f"cccd {NUMBER} của tôi bị mất"),
        ("cmnd 024123456", f"cmnd {NUMBER}"),
        ("hộ chiếu B1234567", f"hộ chiếu {NUMBER}"),
        ("mail nguyen.van.a@gmail.com", f"mail {EMAIL}"),
        ("tài khoản 1234 5678 9012", f"tài khoản {NUMBER}"),
    ],
)
def test_scrub_masks_personal_data(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize("text", ["vay 100 triệu trong 5 năm", "phiếu số 2", "Quyết định 22/2023", "ra tù năm 2024"])
def test_scrub_keeps_the_question(text: str) -> None:
    assert scrub(text) == text


def test_record_unanswered_appends_scrubbed_lines_without_sender(tmp_path: Path) -> None:
    path = tmp_path / "var" / "unanswered.jsonl"
    record_unanswered("con toi so 0987654321 muon hoi", "loan_22_2023", path=path)
    record_unanswered("câu khác", None, path=path)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["text"] for line in lines] == [f"con toi so {PHONE} muon hoi", "câu khác"]
    assert lines[0]["topic_guess"] == "loan_22_2023"
    assert set(lines[0]) == {"ts", "topic_guess", "text"}
