"""The knowledge base and its ranker, loaded once on first use (never at import time).

`KB_DIRECTORY` points the action server at another article folder (tests use fixtures).
"""
from __future__ import annotations

import os
from pathlib import Path

import knowledge_base
from actions.ranking import ArticleRanker
from knowledge_base import Article, KnowledgeBase

_kb: KnowledgeBase | None = None
_ranker: ArticleRanker | None = None


def get_kb() -> KnowledgeBase:
    global _kb
    if _kb is None:
        directory = os.environ.get("KB_DIRECTORY")
        _kb = knowledge_base.load(Path(directory) if directory else None)
    return _kb


def get_ranker() -> ArticleRanker:
    global _ranker
    if _ranker is None:
        _ranker = ArticleRanker(get_kb().articles.values())
    return _ranker


def use(kb: KnowledgeBase | None) -> None:
    """Replace the cached knowledge base (tests), or clear it so the next call reloads."""
    global _kb, _ranker
    _kb, _ranker = kb, None


def find(article_id: str | None) -> Article | None:
    if not article_id:
        return None
    try:
        return get_kb().get(article_id)
    except KeyError:
        return None
