"""The curated, cited knowledge base: one YAML file per topic under knowledge_base/articles/.

Standard library + PyYAML only, so the engine (3.10) and the gateway (3.11) can both import it.
The schema is fixed in docs/architecture.md; `python -m knowledge_base.check` validates content
(sources, review dates, buttons, topic coverage), this module only refuses malformed data.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "articles"
ARTICLE_FILE_SUFFIXES = (".yml", ".yaml")

# A bubble must fit the smallest channel message comfortably (Zalo/Messenger allow 2000).
MAX_BUBBLE_CHARS = 600
HANDOFF_ACTION = "handoff"


class KnowledgeBaseError(ValueError):
    """Raised when an article file cannot be read as the schema of docs/architecture.md.

    The message names the file and, where known, the article id.
    """


@dataclass(frozen=True)
class Source:
    document: str
    article: str | None
    date: str | None
    url: str | None


@dataclass(frozen=True)
class ArticleButton:
    title: str
    article: str | None
    action: str | None  # "handoff"


@dataclass(frozen=True)
class Article:
    id: str
    topic: str
    title: str
    audience: tuple[str, ...]
    questions: tuple[str, ...]
    answer: tuple[str, ...]
    next_step: str | None
    office: str | None
    factual: bool
    sources: tuple[Source, ...]
    reviewed_at: datetime.date
    review_status: str
    buttons: tuple[ArticleButton, ...]


class KnowledgeBase:
    """All articles by id, in file order."""

    def __init__(self, articles: dict[str, Article]) -> None:
        self.articles = articles

    def get(self, article_id: str) -> Article:
        """The article with this id; KeyError if absent."""
        return self.articles[article_id]

    def by_topic(self, topic: str) -> list[Article]:
        return [article for article in self.articles.values() if article.topic == topic]

    def __len__(self) -> int:
        return len(self.articles)


# --- schema ---------------------------------------------------------------------------------------

_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "title": str,
    "audience": list,
    "answer": list,
    "factual": bool,
    "reviewed_at": (datetime.date, str),
    "review_status": str,
}
_OPTIONAL: dict[str, type | tuple[type, ...]] = {
    "questions": list,
    "next_step": str,
    "office": str,
    "sources": list,
    "buttons": list,
}
_SOURCE_FIELDS = {"document", "article", "date", "url"}
_BUTTON_FIELDS = {"title", "article", "action"}


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {list: "a list", str: "text", bool: "true/false", datetime.date: "a date (YYYY-MM-DD)"}
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(names.get(kind, kind.__name__) for kind in kinds if kind is not str or len(kinds) == 1)


def _parse_date(value: object) -> datetime.date | None:
    # Files are read with dates as text; a date object comes from callers building raw dicts.
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def article_schema_problems(raw: object) -> list[str]:
    """What makes one raw article mapping unreadable (types, required fields); [] when readable.

    Shared by the loader (which raises on the first) and the checker (which reports all).
    """
    if not isinstance(raw, dict):
        return ["article is not a mapping"]
    problems: list[str] = []
    for field, expected in {**_REQUIRED, **_OPTIONAL}.items():
        if field not in raw or raw[field] is None:
            if field in _REQUIRED:
                problems.append(f"missing required field '{field}'")
            continue
        value = raw[field]
        # bool is an int, and a date is never a bool: isinstance is exact enough here.
        if not isinstance(value, expected):
            problems.append(f"field '{field}' must be {_type_name(expected)}, got {type(value).__name__}")
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL), key=str)
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown)}")
    if "reviewed_at" in raw and raw["reviewed_at"] is not None and _parse_date(raw["reviewed_at"]) is None:
        problems.append(f"field 'reviewed_at' is not a date (YYYY-MM-DD): {raw['reviewed_at']!r}")
    for field in ("audience", "questions", "answer"):
        values = raw.get(field)
        if isinstance(values, list):
            for index, item in enumerate(values, start=1):
                if not isinstance(item, str):
                    problems.append(f"{field}[{index}] must be text, got {type(item).__name__}")
    sources = raw.get("sources")
    if isinstance(sources, list):
        for index, source in enumerate(sources, start=1):
            problems.extend(f"sources[{index}]: {p}" for p in _source_problems(source))
    buttons = raw.get("buttons")
    if isinstance(buttons, list):
        for index, button in enumerate(buttons, start=1):
            problems.extend(f"buttons[{index}]: {p}" for p in _button_problems(button))
    return problems


def _source_problems(raw: object) -> list[str]:
    if not isinstance(raw, dict):
        return ["source is not a mapping"]
    problems: list[str] = []
    if not isinstance(raw.get("document"), str) or not raw["document"].strip():
        problems.append("missing 'document'")
    for field in ("article", "url"):
        if raw.get(field) is not None and not isinstance(raw[field], str):
            problems.append(f"'{field}' must be text")
    if raw.get("date") is not None and _parse_date(raw["date"]) is None:
        problems.append(f"'date' is not a date (YYYY-MM-DD): {raw['date']!r}")
    unknown = sorted(set(raw) - _SOURCE_FIELDS, key=str)
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown)}")
    return problems


def _button_problems(raw: object) -> list[str]:
    if not isinstance(raw, dict):
        return ["button is not a mapping"]
    problems: list[str] = []
    if not isinstance(raw.get("title"), str) or not raw["title"].strip():
        problems.append("missing 'title'")
    targets = [field for field in ("article", "action") if raw.get(field) is not None]
    if len(targets) != 1:
        problems.append("needs exactly one of 'article' or 'action'")
    for field in targets:
        if not isinstance(raw[field], str):
            problems.append(f"'{field}' must be text")
    unknown = sorted(set(raw) - _BUTTON_FIELDS, key=str)
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown)}")
    return problems


def _optional_text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def article_from_dict(raw: dict[str, Any], topic: str) -> Article:
    """Build an Article from a mapping that has no schema problems (see article_schema_problems)."""
    reviewed_at = _parse_date(raw["reviewed_at"])
    assert reviewed_at is not None  # guaranteed by article_schema_problems
    sources = tuple(
        Source(
            document=str(source["document"]).strip(),
            article=_optional_text(source.get("article")),
            date=date.isoformat() if (date := _parse_date(source.get("date"))) else None,
            url=_optional_text(source.get("url")),
        )
        for source in raw.get("sources") or ()
    )
    buttons = tuple(
        ArticleButton(
            title=str(button["title"]).strip(),
            article=_optional_text(button.get("article")),
            action=_optional_text(button.get("action")),
        )
        for button in raw.get("buttons") or ()
    )
    return Article(
        id=raw["id"].strip(),
        topic=topic,
        title=raw["title"].strip(),
        audience=tuple(raw["audience"]),
        questions=tuple(question.strip() for question in raw.get("questions") or ()),
        answer=tuple(bubble.strip() for bubble in raw["answer"]),
        next_step=_optional_text(raw.get("next_step")),
        office=_optional_text(raw.get("office")),
        factual=raw["factual"],
        sources=sources,
        reviewed_at=reviewed_at,
        review_status=raw["review_status"].strip(),
        buttons=buttons,
    )


# --- files ----------------------------------------------------------------------------------------

class _TextDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is reported with its article, not as a crash."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def article_files(directory: Path | None = None) -> list[Path]:
    """The article files of a directory, in a stable order."""
    folder = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    if not folder.is_dir():
        raise KnowledgeBaseError(f"{folder}: knowledge-base directory not found")
    return sorted(path for path in folder.iterdir() if path.is_file() and path.suffix in ARTICLE_FILE_SUFFIXES)


def read_topic_file(path: Path) -> tuple[str, list[Any]]:
    """The topic code and the raw article mappings of one file; KnowledgeBaseError if unreadable."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDatesLoader)  # noqa: S506 (safe)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise KnowledgeBaseError(f"{path}: cannot read YAML: {error}") from error
    if not isinstance(document, dict):
        raise KnowledgeBaseError(f"{path}: expected a mapping with 'topic' and 'articles'")
    topic = document.get("topic")
    if not isinstance(topic, str) or not topic.strip():
        raise KnowledgeBaseError(f"{path}: missing 'topic'")
    articles = document.get("articles")
    if not isinstance(articles, list):
        raise KnowledgeBaseError(f"{path}: 'articles' must be a list")
    unknown = sorted(set(document) - {"topic", "articles"})
    if unknown:
        raise KnowledgeBaseError(f"{path}: unknown top-level field(s): {', '.join(unknown)}")
    return topic.strip(), articles


def raw_article_label(raw: object, index: int) -> str:
    """How to name an article in an error: its id, or its position when the id is unusable."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"].strip():
        return str(raw["id"]).strip()
    return f"article #{index}"


def parse_file(path: Path) -> list[Article]:
    """The articles of one topic file; KnowledgeBaseError naming file and article if malformed."""
    topic, raws = read_topic_file(path)
    articles: list[Article] = []
    for index, raw in enumerate(raws, start=1):
        problems = article_schema_problems(raw)
        if problems:
            raise KnowledgeBaseError(f"{path}: {raw_article_label(raw, index)}: {'; '.join(problems)}")
        articles.append(article_from_dict(raw, topic))
    return articles


def load(directory: Path | None = None) -> KnowledgeBase:
    """Every article under `directory` (default: knowledge_base/articles/)."""
    articles: dict[str, Article] = {}
    origin: dict[str, Path] = {}
    for path in article_files(directory):
        for article in parse_file(path):
            if article.id in articles:
                raise KnowledgeBaseError(f"{path}: {article.id}: duplicate id (also in {origin[article.id]})")
            articles[article.id] = article
            origin[article.id] = path
    return KnowledgeBase(articles)


# --- how an article is sent -----------------------------------------------------------------------

def source_line(article: Article) -> str | None:
    """`Nguồn: <document>, <article> · cập nhật <dd/mm/yyyy>` for a factual article, else None."""
    if not article.factual or not article.sources:
        return None
    cited = "; ".join(
        f"{source.document}, {source.article}" if source.article else source.document
        for source in article.sources
    )
    return f"Nguồn: {cited} · cập nhật {article.reviewed_at:%d/%m/%Y}"


def bubbles(article: Article) -> list[str]:
    """The bubbles an action sends for an article, each at most MAX_BUBBLE_CHARS when the KB checks.

    The next step, the office and the source line close the answer: appended to the last bubble
    when they fit, otherwise sent as one bubble of their own, so the source line is always last.
    """
    texts = [bubble for bubble in article.answer if bubble]
    tail = [
        line
        for line in (
            f"👉 {article.next_step}" if article.next_step else None,
            f"📍 {article.office}" if article.office else None,
            source_line(article),
        )
        if line
    ]
    if not tail:
        return texts
    closing = "\n".join(tail)
    if texts and len(texts[-1]) + 2 + len(closing) <= MAX_BUBBLE_CHARS:
        texts[-1] = f"{texts[-1]}\n\n{closing}"
    else:
        texts.append(closing)
    return texts


__all__ = [
    "DEFAULT_DIRECTORY",
    "HANDOFF_ACTION",
    "MAX_BUBBLE_CHARS",
    "Article",
    "ArticleButton",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Source",
    "article_files",
    "article_from_dict",
    "article_schema_problems",
    "bubbles",
    "load",
    "parse_file",
    "raw_article_label",
    "read_topic_file",
    "source_line",
]
