"""Validate the knowledge base: `python -m knowledge_base.check [--dir D] [--max-age-months N]`.

Each failure is one line `<file>: <article id>: <what is wrong>`; exit 1 when any. On success one
summary line with the number of articles per topic. The checking functions return lists of
`Problem` so tests can call them on fixture directories.
"""
from __future__ import annotations

import argparse
import datetime
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.topics import TOPICS
from knowledge_base import (
    DEFAULT_DIRECTORY,
    HANDOFF_ACTION,
    MAX_BUBBLE_CHARS,
    Article,
    KnowledgeBaseError,
    article_files,
    article_from_dict,
    article_schema_problems,
    bubbles,
    raw_article_label,
    read_topic_file,
)

DEFAULT_MAX_AGE_MONTHS = 12
MAX_AGE_ENV = "KB_MAX_AGE_MONTHS"

AUDIENCES = frozenset({"released", "family"})
REVIEW_STATUSES = frozenset({"confirmed", "needs_officer_review"})
# Only these topics may carry non-factual (unsourced) articles: docs/architecture.md.
NON_FACTUAL_TOPICS = frozenset({"greeting", "thanks", "goodbye", "out_of_scope", "handoff"})
# Article ids the actions look up by name (docs/architecture.md).
FIXED_ARTICLE_IDS: tuple[str, ...] = (
    "greeting.hello",
    "thanks.welcome",
    "goodbye.bye",
    "out_of_scope.what_i_can_do",
    "out_of_scope.clarify",
    "out_of_scope.offer_officer",
    "handoff.request",
    "crisis.now",
)
NO_ARTICLE = "-"


@dataclass(frozen=True)
class Problem:
    file: str
    article_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.article_id}: {self.message}"


@dataclass(frozen=True)
class LocatedArticle:
    """An article with the file it came from, so every problem can name both."""

    article: Article
    file: str


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (clamped to the month's last day)."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month_first = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month_first - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


def _display(path: Path) -> str:
    """A path as a reader finds it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --- reading --------------------------------------------------------------------------------------

def read_directory(directory: Path) -> tuple[list[LocatedArticle], list[Problem]]:
    """Every readable article of a directory, and a problem for everything unreadable."""
    located: list[LocatedArticle] = []
    problems: list[Problem] = []
    for path in article_files(directory):
        file = _display(path)
        try:
            topic, raws = read_topic_file(path)
        except KnowledgeBaseError as error:
            problems.append(Problem(file, NO_ARTICLE, str(error).removeprefix(f"{path}: ")))
            continue
        if path.stem != topic:
            problems.append(Problem(file, NO_ARTICLE, f"file holds topic '{topic}' but is named {path.name}"))
        for index, raw in enumerate(raws, start=1):
            schema = article_schema_problems(raw)
            label = raw_article_label(raw, index)
            problems.extend(Problem(file, label, message) for message in schema)
            if not schema:
                located.append(LocatedArticle(article_from_dict(raw, topic), file))
    return located, problems


# --- checks ---------------------------------------------------------------------------------------

def check_article(article: Article, file: str, *, topics: Sequence[str] = TOPICS) -> list[Problem]:
    """Problems of one article on its own: values, sources, answer, questions, bubble sizes."""
    problems: list[str] = []
    if article.topic not in topics:
        problems.append(f"unknown topic '{article.topic}' (not in bot.topics.TOPICS)")
    if not article.id.startswith(f"{article.topic}.") or article.id == f"{article.topic}.":
        problems.append(f"id must be '<topic>.<slug>' with topic '{article.topic}'")
    if not article.title:
        problems.append("empty title")
    if not article.audience:
        problems.append("empty audience")
    for audience in article.audience:
        if audience not in AUDIENCES:
            problems.append(f"audience '{audience}' is not one of {', '.join(sorted(AUDIENCES))}")
    if article.review_status not in REVIEW_STATUSES:
        problems.append(f"review_status '{article.review_status}' is not one of {', '.join(sorted(REVIEW_STATUSES))}")
    if not article.questions or not any(article.questions):
        problems.append("no questions (how people ask it)")
    elif not all(article.questions):
        problems.append("empty question")
    if not article.answer or not any(article.answer):
        problems.append("empty answer")
    elif not all(article.answer):
        problems.append("empty bubble in answer")
    if article.factual:
        if not article.sources:
            problems.append("factual article without sources")
        elif not any(source.article for source in article.sources):
            problems.append("no source names a document and its article (Điều/khoản)")
    elif article.topic not in NON_FACTUAL_TOPICS:
        problems.append(f"factual: false is only for {', '.join(sorted(NON_FACTUAL_TOPICS))}")
    for number, bubble in enumerate(bubbles(article), start=1):
        if len(bubble) > MAX_BUBBLE_CHARS:
            problems.append(f"bubble {number} has {len(bubble)} characters as sent (max {MAX_BUBBLE_CHARS})")
    return [Problem(file, article.id, message) for message in problems]


def check_review_dates(
    located: Iterable[LocatedArticle], *, today: datetime.date, max_age_months: int
) -> list[Problem]:
    """Articles reviewed more than `max_age_months` ago (or dated in the future)."""
    oldest_allowed = months_before(today, max_age_months)
    problems: list[Problem] = []
    for item in located:
        reviewed = item.article.reviewed_at
        if reviewed < oldest_allowed:
            problems.append(Problem(
                item.file, item.article.id,
                f"review overdue: reviewed_at {reviewed.isoformat()} is older than {max_age_months} months",
            ))
        elif reviewed > today:
            problems.append(Problem(item.file, item.article.id, f"reviewed_at {reviewed.isoformat()} is in the future"))
    return problems


def check_unique_ids(located: Iterable[LocatedArticle]) -> list[Problem]:
    first_file: dict[str, str] = {}
    problems: list[Problem] = []
    for item in located:
        article_id = item.article.id
        if article_id in first_file:
            problems.append(Problem(item.file, article_id, f"duplicate id (first in {first_file[article_id]})"))
        else:
            first_file[article_id] = item.file
    return problems


def check_buttons(located: Sequence[LocatedArticle]) -> list[Problem]:
    """Every button leads to an existing article or to an officer."""
    known = {item.article.id for item in located}
    problems: list[Problem] = []
    for item in located:
        for button in item.article.buttons:
            if button.action is not None and button.action != HANDOFF_ACTION:
                problems.append(Problem(
                    item.file, item.article.id,
                    f"button '{button.title}' has unknown action '{button.action}' (only '{HANDOFF_ACTION}')",
                ))
            elif button.article is not None and button.article not in known:
                problems.append(Problem(
                    item.file, item.article.id, f"button '{button.title}' leads to missing article '{button.article}'",
                ))
    return problems


def check_coverage(
    located: Sequence[LocatedArticle],
    directory: Path,
    *,
    topics: Sequence[str] = TOPICS,
    fixed_ids: Sequence[str] = FIXED_ARTICLE_IDS,
) -> list[Problem]:
    """Every topic has an article, and every id the actions rely on exists."""
    covered = {item.article.topic for item in located}
    present = {item.article.id for item in located}
    problems = [
        Problem(_display(directory / f"{topic}.yml"), f"{topic}.*", f"topic '{topic}' has no article")
        for topic in topics
        if topic not in covered
    ]
    for article_id in fixed_ids:
        if article_id not in present:
            topic = article_id.split(".", 1)[0]
            problems.append(Problem(
                _display(directory / f"{topic}.yml"), article_id,
                "fixed article id is missing (the actions rely on it)",
            ))
    return problems


def check_directory(
    directory: Path,
    *,
    today: datetime.date,
    max_age_months: int = DEFAULT_MAX_AGE_MONTHS,
    topics: Sequence[str] = TOPICS,
    fixed_ids: Sequence[str] = FIXED_ARTICLE_IDS,
) -> tuple[list[LocatedArticle], list[Problem]]:
    """All checks on one knowledge-base directory: the readable articles and every problem."""
    if not directory.is_dir():
        return [], [Problem(_display(directory), NO_ARTICLE, "knowledge-base directory not found")]
    located, problems = read_directory(directory)
    for item in located:
        problems.extend(check_article(item.article, item.file, topics=topics))
    problems.extend(check_unique_ids(located))
    problems.extend(check_review_dates(located, today=today, max_age_months=max_age_months))
    problems.extend(check_buttons(located))
    problems.extend(check_coverage(located, directory, topics=topics, fixed_ids=fixed_ids))
    return located, problems


def summary(located: Sequence[LocatedArticle], *, topics: Sequence[str] = TOPICS) -> str:
    counts = Counter(item.article.topic for item in located)
    review = sum(item.article.review_status == "needs_officer_review" for item in located)
    per_topic = ", ".join(f"{topic} {counts[topic]}" for topic in topics if counts[topic])
    return f"knowledge base OK: {len(located)} articles ({review} need officer review) — {per_topic}"


# --- command line ---------------------------------------------------------------------------------

def _max_age_from_env() -> int:
    value = os.environ.get(MAX_AGE_ENV, "").strip()
    if not value:
        return DEFAULT_MAX_AGE_MONTHS
    try:
        months = int(value)
    except ValueError:
        raise SystemExit(f"{MAX_AGE_ENV} must be a whole number of months, got {value!r}") from None
    if months < 1:
        raise SystemExit(f"{MAX_AGE_ENV} must be at least 1, got {months}")
    return months


def _positive_int(value: str) -> int:
    months = int(value)
    if months < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return months


def main(argv: Sequence[str] | None = None, *, today: datetime.date | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge_base.check", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None, help="articles directory (default: knowledge_base/articles)")
    parser.add_argument(
        "--max-age-months", type=_positive_int, default=None,
        help=f"oldest allowed review, in months (default: ${MAX_AGE_ENV} or {DEFAULT_MAX_AGE_MONTHS})",
    )
    args = parser.parse_args(argv)
    directory: Path = args.dir if args.dir is not None else DEFAULT_DIRECTORY
    max_age = args.max_age_months if args.max_age_months is not None else _max_age_from_env()
    located, problems = check_directory(
        directory, today=today or datetime.date.today(), max_age_months=max_age
    )
    if problems:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) in the knowledge base", file=sys.stderr)
        return 1
    print(summary(located))
    return 0


if __name__ == "__main__":
    sys.exit(main())
