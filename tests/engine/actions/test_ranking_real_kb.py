"""The ranking on the real knowledge base: a question an editor wrote for an article, typed with or
without diacritics, must find that article (else people asking it get another answer)."""
from __future__ import annotations

import knowledge_base
from actions.ranking import ArticleRanker, is_confident
from bot.vietnamese import fold_diacritics


def test_articles_own_questions_rank_their_article_first() -> None:
    kb = knowledge_base.load()
    ranker = ArticleRanker(kb.articles.values())
    total = first = sure = 0
    misses: list[tuple[str, str, str]] = []
    for article in kb.articles.values():
        for question in article.questions:
            for typed in (question, fold_diacritics(question)):
                ranked = ranker.rank(typed, article.topic)
                total += 1
                if ranked[0].article_id == article.id:
                    first += 1
                    sure += is_confident(ranked)
                else:
                    misses.append((typed, article.id, ranked[0].article_id))
    assert total > 0
    assert first / total >= 0.97, misses[:20]
    assert sure / total >= 0.90
