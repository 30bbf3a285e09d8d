"""The terminal chat's formatting and the evaluation's reading of a reply (no model needed)."""
from __future__ import annotations

from typing import Any

from tools.eval_answers import first_topic
from tools.shell import format_reply, to_message


def _message(text: str, buttons: list[dict[str, str]], **meta: Any) -> dict[str, Any]:
    return {"recipient_id": "s", "custom": {"text": text, "buttons": buttons, "meta": meta}}


def _reply() -> list[dict[str, Any]]:
    meta = {"topic": "loan_22_2023", "article_id": "loan_22_2023.interest", "handoff": None}
    buttons = [
        {"title": "Hữu ích", "payload": '/feedback{"value":"helpful"}'},
        {"title": "Gặp cán bộ", "payload": "/handoff"},
    ]
    return [
        _message("Lãi suất bằng lãi suất hộ nghèo.", [], **meta),
        _message("Nguồn: Quyết định 22/2023/QĐ-TTg, Điều 9 · cập nhật 26/11/2026", buttons, **meta),
    ]


def test_first_topic_reads_the_first_message() -> None:
    assert first_topic(_reply()) == "loan_22_2023"


def test_first_topic_counts_plain_text_and_silence_as_out_of_scope() -> None:
    assert first_topic([{"recipient_id": "s", "text": "hello"}]) == "out_of_scope"
    assert first_topic([]) == "out_of_scope"


def test_shell_prints_bubbles_sources_and_numbered_buttons() -> None:
    text, buttons = format_reply(_reply())
    assert "Nguồn: Quyết định 22/2023/QĐ-TTg, Điều 9 · cập nhật 26/11/2026" in text
    assert "(1) Hữu ích" in text and "(2) Gặp cán bộ" in text
    assert "[loan_22_2023 · loan_22_2023.interest]" in text
    assert to_message("2", buttons) == "/handoff"
    assert to_message("3", buttons) == "3"
    assert to_message("vay bao nhiêu", buttons) == "vay bao nhiêu"


def test_shell_shows_an_escalation() -> None:
    reply = [_message("Gọi 113", [], topic="crisis", handoff={"reason": "crisis", "priority": "urgent"})]
    text, _ = format_reply(reply)
    assert "chuyển cán bộ: crisis/urgent" in text
