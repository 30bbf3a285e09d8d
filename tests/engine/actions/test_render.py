"""Rendering articles into docs/architecture.md's bot messages."""
from __future__ import annotations

import dataclasses
import json

import knowledge_base
from actions.render import (
    HELPFUL_PAYLOAD,
    MAX_BUBBLE,
    NOT_HELPFUL_PAYLOAD,
    choose_article_payload,
    render_article,
    render_choices,
    sources_line,
    split_bubble,
)


def test_split_bubble_keeps_every_word_and_the_limit() -> None:
    text = "\n\n".join(f"Đoạn {i}: " + "chữ " * 60 for i in range(5))
    bubbles = split_bubble(text)
    assert len(bubbles) > 1
    assert all(len(b) <= MAX_BUBBLE for b in bubbles)
    assert " ".join(" ".join(bubbles).split()) == " ".join(text.split())


def test_split_bubble_breaks_an_unbroken_run() -> None:
    assert [len(b) for b in split_bubble("x" * 1300)] == [600, 600, 100]


def test_choose_article_payload_is_rasa_entity_syntax() -> None:
    payload = choose_article_payload("loan_22_2023.interest")
    assert payload == '/choose_article{"article_id":"loan_22_2023.interest"}'
    assert json.loads(payload[len("/choose_article") :]) == {"article_id": "loan_22_2023.interest"}


def test_sources_line_groups_articles_and_formats_the_review_date(kb: knowledge_base.KnowledgeBase) -> None:
    article = kb.get("loan_22_2023.interest")
    assert sources_line(article) == "Nguồn: Quyết định 22/2023/QĐ-TTg, Điều 9 · cập nhật 26/11/2026"
    two = dataclasses.replace(article, sources=article.sources + kb.get("loan_22_2023.who").sources)
    assert sources_line(two) == "Nguồn: Quyết định 22/2023/QĐ-TTg, Điều 9, Điều 3 · cập nhật 26/11/2026"


def test_factual_article_ends_with_sources_and_feedback_buttons_on_last_bubble(
    kb: knowledge_base.KnowledgeBase,
) -> None:
    messages = render_article(kb.get("loan_22_2023.who"))
    last = messages[-1]
    assert last["text"].splitlines()[-1] == "Nguồn: Quyết định 22/2023/QĐ-TTg, Điều 3 · cập nhật 26/11/2026"
    assert "Bước tiếp theo: Hỏi Công an xã" in last["text"]
    assert "Nơi liên hệ: Phòng giao dịch" in last["text"]
    payloads = [b["payload"] for b in last["buttons"]]
    assert payloads == [choose_article_payload("loan_22_2023.amount"), "/handoff", HELPFUL_PAYLOAD, NOT_HELPFUL_PAYLOAD]
    assert all(m["buttons"] == [] for m in messages[:-1])
    assert all(len(m["text"]) <= MAX_BUBBLE for m in messages)
    meta = last["meta"]
    assert meta == {
        "topic": "loan_22_2023",
        "article_id": "loan_22_2023.who",
        "sources": [{"document": "Quyết định 22/2023/QĐ-TTg", "article": "Điều 3", "url": "https://example.org/qd22"}],
        "reviewed_at": "2026-11-26",
        "review_status": "confirmed",
        "handoff": None,
    }


def test_long_answer_is_split_and_sources_stay_last(kb: knowledge_base.KnowledgeBase) -> None:
    article = dataclasses.replace(kb.get("loan_22_2023.interest"), answer=("Câu dài. " * 150,))
    messages = render_article(article)
    assert len(messages) >= 3
    assert all(len(m["text"]) <= MAX_BUBBLE for m in messages)
    assert messages[-1]["text"].splitlines()[-1].startswith("Nguồn: ")


def test_article_needing_review_says_an_officer_will_confirm(kb: knowledge_base.KnowledgeBase) -> None:
    text = "\n".join(m["text"] for m in render_article(kb.get("loan_22_2023.documents")))
    assert "cán bộ sẽ xác nhận" in text
    assert text.splitlines()[-1] == "Nguồn: Quyết định 22/2023/QĐ-TTg, Điều 3 · cập nhật 20/11/2026"


def test_non_factual_article_has_no_sources_nor_feedback(kb: knowledge_base.KnowledgeBase) -> None:
    [message] = render_article(kb.get("greeting.hello"))
    assert "Nguồn:" not in message["text"]
    assert message["meta"]["sources"] == []
    assert HELPFUL_PAYLOAD not in [b["payload"] for b in message["buttons"]]


def test_choices_offer_one_button_per_article(kb: knowledge_base.KnowledgeBase) -> None:
    choices = (kb.get("loan_22_2023.amount"), kb.get("loan_22_2023.interest"))
    [message] = render_choices("loan_22_2023", "Bạn muốn hỏi điều nào?", choices)
    assert [b["title"] for b in message["buttons"]] == [a.title for a in choices]
    assert message["meta"]["topic"] == "loan_22_2023"
    assert message["meta"]["article_id"] is None
