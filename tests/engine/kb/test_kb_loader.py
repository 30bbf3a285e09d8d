"""knowledge_base.load(): the dataclasses of docs/architecture.md, and clear errors for bad files."""
from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

import knowledge_base
from knowledge_base import Article, ArticleButton, KnowledgeBase, KnowledgeBaseError, Source, bubbles, load


def test_load_returns_articles_with_contract_types(fixtures: Path) -> None:
    kb = load(fixtures / "valid")

    assert isinstance(kb, KnowledgeBase)
    assert set(kb.articles) == {"judicial_record.kinds", "judicial_record.relative", "handoff.request"}
    kinds = kb.get("judicial_record.kinds")
    assert isinstance(kinds, Article)
    assert kinds.topic == "judicial_record"
    assert kinds.audience == ("released", "family")
    assert kinds.questions == ("phiếu số 1 và số 2 khác gì", "phieu so 1 so 2 khac nhau")
    assert kinds.answer[1].startswith("Phiếu số 2 ghi đầy đủ")
    assert kinds.reviewed_at == datetime.date(2026, 11, 26)
    assert kinds.sources[0] == Source(
        document="Luật Lý lịch tư pháp 28/2009/QH12", article="Điều 42", date="2009-06-17", url="https://example.org/42"
    )
    assert kinds.sources[1].date is None and kinds.sources[1].url is None
    assert kinds.buttons == (
        ArticleButton(title="Nhờ người thân xin", article="judicial_record.relative", action=None),
        ArticleButton(title="Gặp cán bộ", article=None, action="handoff"),
    )


def test_quoted_review_date_and_missing_optionals(fixtures: Path) -> None:
    kb = load(fixtures / "valid")

    relative = kb.get("judicial_record.relative")
    assert relative.reviewed_at == datetime.date(2026, 10, 1)
    assert relative.next_step is None and relative.office is None
    handoff = kb.get("handoff.request")
    assert handoff.factual is False and handoff.sources == () and handoff.buttons == ()


def test_get_unknown_id_raises_key_error(fixtures: Path) -> None:
    with pytest.raises(KeyError):
        load(fixtures / "valid").get("judicial_record.nope")


def test_by_topic_keeps_file_order(fixtures: Path) -> None:
    kb = load(fixtures / "valid")

    assert [a.id for a in kb.by_topic("judicial_record")] == ["judicial_record.kinds", "judicial_record.relative"]
    assert kb.by_topic("expungement") == []


def test_articles_are_immutable(fixtures: Path) -> None:
    article = load(fixtures / "valid").get("handoff.request")
    with pytest.raises(AttributeError):
        article.title = "khác"  # type: ignore[misc]


def test_malformed_file_error_names_file_and_article(fixtures: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load(fixtures / "malformed")

    message = str(caught.value)
    assert "malformed/judicial_record.yml" in message
    assert "judicial_record.kinds" in message
    assert "missing required field 'title'" in message
    assert "field 'audience' must be a list" in message
    assert "field 'factual' must be true/false" in message
    assert "sources[1]: source is not a mapping" in message
    assert "reviewed_at" in message


def test_duplicate_id_is_refused_by_the_loader(fixtures: Path) -> None:
    expected = r"duplicate_id/judicial_record\.yml: judicial_record\.kinds: duplicate id"
    with pytest.raises(KnowledgeBaseError, match=expected):
        load(fixtures / "duplicate_id")


def test_unreadable_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "expungement.yml").write_text("topic: expungement\narticles: [\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"expungement\.yml: cannot read YAML"):
        load(tmp_path)


def test_file_without_topic_is_refused(tmp_path: Path) -> None:
    (tmp_path / "expungement.yml").write_text("articles: []\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"expungement\.yml: missing 'topic'"):
        load(tmp_path)


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="directory not found"):
        load(tmp_path / "nowhere")


def test_only_yaml_files_are_read(fixtures: Path, tmp_path: Path) -> None:
    shutil.copy(fixtures / "valid" / "handoff.yml", tmp_path / "handoff.yml")
    (tmp_path / "README.md").write_text("not an article", encoding="utf-8")
    assert list(load(tmp_path).articles) == ["handoff.request"]


def test_bubbles_end_with_the_source_line(fixtures: Path) -> None:
    sent = bubbles(load(fixtures / "valid").get("judicial_record.kinds"))

    assert len(sent) == 2
    assert sent[-1].startswith("Phiếu số 2 ghi đầy đủ")
    assert "👉 Hỏi Công an tỉnh nơi bạn cư trú." in sent[-1]
    assert sent[-1].endswith(
        "Nguồn: Luật Lý lịch tư pháp 28/2009/QH12, Điều 42; Luật Lý lịch tư pháp 28/2009/QH12, Điều 43"
        " · cập nhật 26/11/2026"
    )


def test_bubbles_put_the_closing_lines_apart_when_the_last_bubble_is_full(fixtures: Path) -> None:
    sent = bubbles(load(fixtures / "long_bubble").get("judicial_record.long_tail"))

    assert len(sent) == 2
    assert len(sent[0]) == 588
    assert sent[1].startswith("👉 Hỏi Công an tỉnh.")
    assert sent[1].endswith("cập nhật 26/11/2026")


def test_non_factual_article_has_no_source_line(fixtures: Path) -> None:
    assert bubbles(load(fixtures / "valid").get("handoff.request")) == ["Mình đang chuyển bạn tới cán bộ."]


def test_default_directory_loads_the_real_knowledge_base() -> None:
    kb = load()

    assert len(kb) > 0
    assert knowledge_base.DEFAULT_DIRECTORY.name == "articles"
    for article_id, article in kb.articles.items():
        assert article_id == article.id
        assert article_id.startswith(f"{article.topic}.")
