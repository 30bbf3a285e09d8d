"""Print a random sample of knowledge-base articles as a person would see them, for review.

Exists for the spot check "N answers drawn at random and read against shared/legal_facts.md":
the draw is uniform over every article (whatever its review_status), and the seed makes it
repeatable, so a review can name the command that produced its sample.

    python -m tools.kb_sample --n 20 --seed 20261127 [--dir knowledge_base/articles]
"""
from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from knowledge_base import DEFAULT_DIRECTORY, Article, bubbles, load


def render(article: Article) -> str:
    """One article: id, topic, review status, sources, then the bubbles exactly as sent."""
    lines = [
        f"=== {article.id}",
        f"topic: {article.topic} | review_status: {article.review_status} | "
        f"factual: {str(article.factual).lower()} | reviewed_at: {article.reviewed_at.isoformat()}",
        "sources:",
    ]
    lines += [
        f"  - {source.document}" + (f", {source.article}" if source.article else "")
        + (f" ({source.url})" if source.url else "")
        for source in article.sources
    ] or ["  (none)"]
    for number, bubble in enumerate(bubbles(article), start=1):
        lines += [f"--- bubble {number} ({len(bubble)} chars)", bubble]
    if article.buttons:
        lines.append("buttons: " + " | ".join(button.title for button in article.buttons))
    return "\n".join(lines)


def sample(articles: Sequence[Article], n: int, seed: int) -> list[Article]:
    """n articles drawn without replacement, uniformly, in a repeatable order."""
    ordered = sorted(articles, key=lambda article: article.id)
    return random.Random(seed).sample(ordered, min(n, len(ordered)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.kb_sample", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="how many articles (default 20)")
    parser.add_argument("--seed", type=int, required=True, help="random seed, named in the review")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIRECTORY, help="articles directory")
    args = parser.parse_args(argv)
    articles = list(load(args.dir).articles.values())
    drawn = sample(articles, args.n, args.seed)
    print(f"{len(drawn)} of {len(articles)} articles, seed {args.seed}: {', '.join(a.id for a in drawn)}\n")
    print("\n\n".join(render(article) for article in drawn))
    return 0


if __name__ == "__main__":
    sys.exit(main())
