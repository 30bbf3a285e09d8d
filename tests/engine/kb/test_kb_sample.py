"""tools.kb_sample: the review sample is repeatable whatever the load order, and shows what is sent."""
from __future__ import annotations

import knowledge_base
from knowledge_base import bubbles
from tools.kb_sample import render, sample


def test_the_same_seed_draws_the_same_articles_whatever_their_order() -> None:
    articles = list(knowledge_base.load().articles.values())
    first = [a.id for a in sample(articles, 20, seed=20261127)]
    again = [a.id for a in sample(list(reversed(articles)), 20, seed=20261127)]
    assert first == again
    assert len(set(first)) == 20
    assert first != [a.id for a in sample(articles, 20, seed=1)]


def test_a_rendered_article_shows_every_bubble_as_sent_and_its_sources() -> None:
    article = knowledge_base.load().get("loan_22_2023.interest")
    text = render(article)
    assert "review_status: " + article.review_status in text
    for bubble in bubbles(article):
        assert bubble in text
    assert all(source.document in text for source in article.sources)
