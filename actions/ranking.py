"""Lexical ranking of knowledge-base articles for a question (pure, no Rasa import).

BM25 (rank_bm25) over each article's title + questions, plus its answer text weighted less. Indexes
are built per topic (so IDF separates the articles of one topic) and once over everything (for
messages with no topic). Callers hold one `ArticleRanker` per knowledge base.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rank_bm25 import BM25Okapi

from actions.text import terms

# The answer text says many things an article is not *about*; it only breaks ties.
ANSWER_WEIGHT = 0.3
# Ask back when the best article scores below this share of what the index's own questions score
# (BM25 units depend on the number of articles, so the bar is relative) ...
MIN_SCORE_SHARE = 0.15
# ... or when the runner-up reaches this share of the best score.
CLOSE_RATIO = 0.75


class RankableArticle(Protocol):
    id: str
    topic: str
    title: str
    questions: tuple[str, ...]
    answer: tuple[str, ...]


@dataclass(frozen=True)
class Ranked:
    article_id: str
    topic: str
    score: float
    # What a literal question of this index scores (median): the scale `score` is judged on.
    reference: float = 1.0


class _BM25(BM25Okapi):
    """Okapi BM25 with Lucene's IDF, log(1 + (N - n + .5) / (n + .5)): always positive, so a term
    found in half of a small topic's articles still counts (Okapi's IDF is 0 there)."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


class _Index:
    """BM25 over one set of articles: a question index and an answer index."""

    def __init__(self, articles: Sequence[RankableArticle]) -> None:
        self.articles = list(articles)
        question_docs = [list(terms(" . ".join((a.title, a.title, *a.questions)))) for a in self.articles]
        answer_docs = [list(terms(" ".join(a.answer))) for a in self.articles]
        # BM25Okapi divides by the corpus size; an empty document list cannot be indexed.
        self._questions = _BM25([d or ["_"] for d in question_docs]) if self.articles else None
        self._answers = _BM25([d or ["_"] for d in answer_docs]) if self.articles else None
        self.reference = self._reference_score()

    def _scores(self, query_terms: Sequence[str]) -> list[float]:
        assert self._questions is not None and self._answers is not None
        q_scores = self._questions.get_scores(query_terms)
        a_scores = self._answers.get_scores(query_terms)
        return [float(max(q, 0.0) + ANSWER_WEIGHT * max(s, 0.0)) for q, s in zip(q_scores, a_scores, strict=True)]

    def _reference_score(self) -> float:
        """Median best score of the articles' own questions: what a clear match looks like here."""
        best = sorted(
            max(self._scores(terms(question)))
            for article in self.articles
            for question in article.questions
            if terms(question)
        )
        return best[len(best) // 2] if best else 1.0

    def rank(self, query_terms: Sequence[str]) -> list[Ranked]:
        if not self.articles or not query_terms or self._questions is None or self._answers is None:
            return [Ranked(a.id, a.topic, 0.0, self.reference) for a in self.articles]
        ranked = [
            Ranked(a.id, a.topic, score, self.reference)
            for a, score in zip(self.articles, self._scores(query_terms), strict=True)
        ]
        # Stable sort: equal scores keep the knowledge base's order (its first article is the overview).
        return sorted(ranked, key=lambda r: -r.score)


class ArticleRanker:
    """Ranks articles for a question, inside a topic or across the whole knowledge base."""

    def __init__(self, articles: Iterable[RankableArticle]) -> None:
        self._articles = list(articles)
        self._by_topic: dict[str, _Index] = {}
        self._all: _Index | None = None

    def _index(self, topic: str | None) -> _Index:
        # Built on first use: a topic nobody asks about costs nothing.
        if topic is None:
            if self._all is None:
                self._all = _Index(self._articles)
            return self._all
        if topic not in self._by_topic:
            self._by_topic[topic] = _Index([a for a in self._articles if a.topic == topic])
        return self._by_topic[topic]

    def rank(self, question: str, topic: str | None = None, *, exclude: Iterable[str] = ()) -> list[Ranked]:
        excluded = set(exclude)
        return [r for r in self._index(topic).rank(terms(question)) if r.article_id not in excluded]


def is_strong(best: Ranked) -> bool:
    """A real match: a fair share of what the index's own questions score."""
    return best.score > 0 and best.score >= MIN_SCORE_SHARE * best.reference


def is_confident(ranked: Sequence[Ranked]) -> bool:
    """True when the best article clearly wins: a real match and no close runner-up (the only
    article of a topic always wins)."""
    if not ranked:
        return False
    if len(ranked) == 1:
        return True
    best, second = ranked[0], ranked[1]
    return is_strong(best) and second.score < CLOSE_RATIO * best.score
