"""Lexical ranking: folded Vietnamese, BM25 inside a topic, the confidence rule."""
from __future__ import annotations

import pytest

import knowledge_base
from actions.ranking import ArticleRanker, Ranked, is_confident
from actions.text import syllables, terms


def test_terms_fold_diacritics_and_expand_teencode() -> None:
    assert syllables("Lãi suất ĐƯỢC bao nhiêu") == ["lai", "suat", "duoc", "bao", "nhieu"]
    assert terms("vay vốn ko đc") == terms("vay von khong duoc")
    assert "ly_lich" in terms("xin lltp ở đâu")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("lãi suất vay vốn bao nhiêu", "loan_22_2023.interest"),
        ("lai suat vay von bao nhieu", "loan_22_2023.interest"),
        ("vay được tối đa bao nhiêu tiền", "loan_22_2023.amount"),
        ("VAY DUOC TOI DA BAO NHIEU", "loan_22_2023.amount"),
        ("hồ sơ vay cần giấy tờ gì", "loan_22_2023.documents"),
        ("nguoi ra tu co duoc vay von ko", "loan_22_2023.who"),
    ],
)
def test_literal_questions_rank_their_article_first(
    kb: knowledge_base.KnowledgeBase, question: str, expected: str
) -> None:
    ranked = ArticleRanker(kb.articles.values()).rank(question, "loan_22_2023")
    assert ranked[0].article_id == expected
    assert is_confident(ranked)


def test_ranking_stays_inside_the_topic(kb: knowledge_base.KnowledgeBase) -> None:
    ranked = ArticleRanker(kb.articles.values()).rank("lãi suất bao nhiêu", "judicial_record")
    assert {r.topic for r in ranked} == {"judicial_record"}


def test_whole_kb_ranking_finds_the_topic(kb: knowledge_base.KnowledgeBase) -> None:
    ranked = ArticleRanker(kb.articles.values()).rank("xin phieu ly lich tu phap o dau")
    assert ranked[0].article_id == "judicial_record.where"


def test_generic_question_is_not_confident(kb: knowledge_base.KnowledgeBase) -> None:
    ranked = ArticleRanker(kb.articles.values()).rank("vay vốn", "loan_22_2023")
    assert not is_confident(ranked)


def test_exclude_drops_articles(kb: knowledge_base.KnowledgeBase) -> None:
    ranked = ArticleRanker(kb.articles.values()).rank("lãi suất", "loan_22_2023", exclude=["loan_22_2023.interest"])
    assert "loan_22_2023.interest" not in {r.article_id for r in ranked}


def test_confidence_rule() -> None:
    assert is_confident([Ranked("a", "t", 5.0, 10.0), Ranked("b", "t", 1.0, 10.0)])
    assert not is_confident([Ranked("a", "t", 5.0, 10.0), Ranked("b", "t", 4.5, 10.0)])  # too close
    assert not is_confident([Ranked("a", "t", 1.0, 10.0), Ranked("b", "t", 0.0, 10.0)])  # too weak here
    assert is_confident([Ranked("a", "t", 1.0, 2.0), Ranked("b", "t", 0.0, 2.0)])  # fine in a small index
    assert is_confident([Ranked("a", "t", 0.0)])  # the only article of its topic
    assert not is_confident([])
