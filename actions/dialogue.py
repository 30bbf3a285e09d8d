"""Which article answers a turn (pure, no Rasa import): the topic from the intent or from the
conversation, then the lexical ranking inside that topic.

    intent ─┬─ choose_article ──────────────► that article
            ├─ greeting/thanks/goodbye/oos ─► the topic's fixed article
            ├─ followup ────────────────────► rank inside last_topic (whole KB if none)
            └─ policy topic T ──────────────► rank inside T, unless the message is short or unsure
                                              and last_topic's own ranking clearly matches it
    ranking sure → Answer; unsure → AskBack with the 2–3 likely articles
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from actions.ranking import ArticleRanker, Ranked, is_confident, is_strong
from actions.text import syllables
from bot.topics import CONTEXT_INTENTS, FALLBACK_INTENT, POLICY_TOPICS, topic_of_intent
from knowledge_base import Article, KnowledgeBase

# Articles the actions rely on (docs/architecture.md).
FIXED_ARTICLES: dict[str, str] = {
    "greeting": "greeting.hello",
    "thanks": "thanks.welcome",
    "goodbye": "goodbye.bye",
    "out_of_scope": "out_of_scope.what_i_can_do",
    "handoff": "handoff.request",
    "crisis": "crisis.now",
}
CLARIFY_ARTICLE = "out_of_scope.clarify"
OFFER_OFFICER_ARTICLE = "out_of_scope.offer_officer"

MAX_CHOICES = 3
# An unsure NLU is overruled only by a lexical match this close to a literal question of the knowledge
# base (share of the index's reference score). Set from tests/data/heldout.tsv with a quick model (which
# is why tests/data/heldout_fresh.tsv exists): rescued policy questions scored 0.67–0.91, out-of-scope
# messages the NLU was unsure of at most 0.15.
STRONG_MATCH_SHARE = 0.6
# A message this short right after an answer is read in that answer's topic first ("còn lãi suất?").
SHORT_MESSAGE_SYLLABLES = 6
# Below this intent confidence a message right after an answer is read in that answer's topic first.
LOW_CONFIDENCE = 0.6
# An in-topic best match under this share of the index's reference score barely touches the topic: when
# another policy topic has an article the message clearly asks for (STRONG_MATCH_SHARE), that one answers
# ("ra tu ko co cccd thi lam sao xin viec": employment by the NLU, but the words are all about the card).
WEAK_MATCH_SHARE = 0.3
# Words an entity value stands for, added to the question so the ranking sees them however typed.
# Not for "sản xuất kinh doanh": those words are in most loan articles (and in the employers' one's
# title), so adding them outweighed what the person asked ("vay vốn làm ăn cần điều kiện gì").
ENTITY_WORDS: dict[str, dict[str, str]] = {
    "certificate": {"so_1": "phiếu số 1", "so_2": "phiếu số 2"},
    "loan_purpose": {"hoc_nghe": "học nghề đào tạo nghề"},
}


@dataclass(frozen=True)
class Turn:
    """What the actions know about the latest user message and the conversation so far."""

    intent: str | None
    confidence: float
    text: str
    entities: dict[str, str] = field(default_factory=dict)
    intent_ranking: tuple[tuple[str, float], ...] = ()
    last_topic: str | None = None
    last_article_id: str | None = None


@dataclass(frozen=True)
class Answer:
    article: Article
    topic: str


@dataclass(frozen=True)
class AskBack:
    topic: str
    choices: tuple[Article, ...]


Decision = Answer | AskBack


def query_text(turn: Turn) -> str:
    """The user's words plus the words their entities stand for."""
    extra = [ENTITY_WORDS.get(name, {}).get(value, "") for name, value in turn.entities.items()]
    return " ".join([turn.text, *[e for e in extra if e]])


def is_payload(text: str) -> bool:
    return text.startswith("/")


def may_follow_up(turn: Turn) -> bool:
    """A message that may continue the previous answer's topic: short or unsure, after a policy answer."""
    if turn.last_topic not in POLICY_TOPICS or is_payload(turn.text):
        return False
    return turn.confidence < LOW_CONFIDENCE or len(syllables(turn.text)) <= SHORT_MESSAGE_SYLLABLES


def _articles(kb: KnowledgeBase, ranked: Sequence[Ranked]) -> tuple[Article, ...]:
    return tuple(kb.get(r.article_id) for r in ranked)


def policy_ranking(turn: Turn, ranker: ArticleRanker) -> list[Ranked]:
    """The message ranked over every policy article, best first."""
    return [r for r in ranker.rank(query_text(turn)) if r.topic in POLICY_TOPICS]


def asks_clearly(best: Ranked) -> bool:
    """The message is this close to a literal question of the article (STRONG_MATCH_SHARE)."""
    return best.score >= STRONG_MATCH_SHARE * best.reference


def clear_topic_elsewhere(turn: Turn, topic: str, ranker: ArticleRanker) -> str | None:
    """Another policy topic whose best article the message clearly asks for; else None."""
    ranked = policy_ranking(turn, ranker)
    if ranked and ranked[0].topic != topic and asks_clearly(ranked[0]):
        return ranked[0].topic
    return None


def rank_in_topic(turn: Turn, topic: str, kb: KnowledgeBase, ranker: ArticleRanker,
                  *, may_move: bool = True) -> Decision:
    """The article of `topic` that answers the turn, or the likely ones to ask back with."""
    ranked = ranker.rank(query_text(turn), topic)
    if not ranked:  # a topic with no articles yet: still that topic, answered by an officer
        return AskBack(topic, ())
    if may_move and ranked[0].score < WEAK_MATCH_SHARE * ranked[0].reference:
        elsewhere = clear_topic_elsewhere(turn, topic, ranker)
        if elsewhere is not None:
            return rank_in_topic(turn, elsewhere, kb, ranker, may_move=False)
    if is_confident(ranked):
        return Answer(kb.get(ranked[0].article_id), topic)
    return AskBack(topic, _articles(kb, ranked[:MAX_CHOICES]))


def rank_everywhere(turn: Turn, kb: KnowledgeBase, ranker: ArticleRanker) -> Decision:
    """No topic to go on: rank the whole knowledge base (policy articles only)."""
    ranked = [r for r in policy_ranking(turn, ranker) if r.score > 0]
    if not ranked:
        return fixed_answer("out_of_scope", kb)
    if is_confident(ranked) and is_strong(ranked[0]):  # a lone weak match is no answer
        return Answer(kb.get(ranked[0].article_id), ranked[0].topic)
    return AskBack(ranked[0].topic, _articles(kb, ranked[:MAX_CHOICES]))


def fixed_answer(topic: str, kb: KnowledgeBase) -> Answer:
    return Answer(kb.get(FIXED_ARTICLES[topic]), topic)


def context_answer(turn: Turn, kb: KnowledgeBase, ranker: ArticleRanker) -> Answer | None:
    """The previous answer's topic, when the message clearly continues it; else None."""
    if not may_follow_up(turn) or turn.last_topic is None:
        return None
    ranked = ranker.rank(query_text(turn), turn.last_topic)
    # A real match is required even in a one-article topic, or every short message would stick there.
    if ranked and is_strong(ranked[0]) and is_confident(ranked):
        return Answer(kb.get(ranked[0].article_id), turn.last_topic)
    return None


def strong_match_anywhere(turn: Turn, kb: KnowledgeBase, ranker: ArticleRanker) -> Answer | None:
    """A policy article the message clearly asks for, whatever the NLU said; else None."""
    if is_payload(turn.text):
        return None
    ranked = policy_ranking(turn, ranker)
    if ranked and is_confident(ranked) and asks_clearly(ranked[0]):
        return Answer(kb.get(ranked[0].article_id), ranked[0].topic)
    return None


def decide_answer(turn: Turn, kb: KnowledgeBase, ranker: ArticleRanker) -> Decision:
    if turn.intent == "choose_article":
        chosen = turn.entities.get("article_id")
        if chosen and chosen in kb.articles:
            article = kb.get(chosen)
            return Answer(article, article.topic)
        return fixed_answer("out_of_scope", kb)
    if turn.intent == "followup":
        if turn.last_topic in POLICY_TOPICS:
            return rank_in_topic(turn, turn.last_topic, kb, ranker)
        return rank_everywhere(turn, kb, ranker)
    topic = topic_of_intent(turn.intent) or "out_of_scope"
    if topic != turn.last_topic:
        followed = context_answer(turn, kb, ranker)
        if followed is not None:
            return followed
    if topic in FIXED_ARTICLES:
        return fixed_answer(topic, kb)
    return rank_in_topic(turn, topic, kb, ranker)


def alternatives(
    question: str, topic: str | None, kb: KnowledgeBase, ranker: ArticleRanker, *, exclude: Sequence[str] = ()
) -> tuple[Article, ...]:
    """Other likely articles for a question (after "Chưa đúng ý"): matching ones first."""
    if topic not in POLICY_TOPICS:
        ranked = [r for r in ranker.rank(question, exclude=exclude) if r.topic in POLICY_TOPICS and r.score > 0]
    else:
        ranked = ranker.rank(question, topic, exclude=exclude)
    return _articles(kb, ranked[:MAX_CHOICES])


def likely_topics(turn: Turn, limit: int = MAX_CHOICES) -> list[str]:
    """Policy topics the NLU ranked for an unsure message, most likely first."""
    topics: list[str] = []
    for intent, _confidence in turn.intent_ranking:
        if intent == FALLBACK_INTENT or intent in CONTEXT_INTENTS:
            continue
        topic = topic_of_intent(intent)
        if topic in POLICY_TOPICS and topic not in topics:
            topics.append(topic)
        if len(topics) == limit:
            break
    return topics


def clarify_choices(turn: Turn, kb: KnowledgeBase, ranker: ArticleRanker) -> tuple[Article, ...]:
    """For "did you mean…": the best article of each likely topic, else the best matches anywhere."""
    choices: list[Article] = []
    for topic in likely_topics(turn):
        ranked = ranker.rank(query_text(turn), topic)
        if ranked:
            choices.append(kb.get(ranked[0].article_id))
    if not choices:
        choices = list(alternatives(query_text(turn), None, kb, ranker))
    return tuple(choices[:MAX_CHOICES])


def topic_guess(turn: Turn) -> str | None:
    """The editors' hint for an unanswered question: the NLU's best policy topic."""
    topics = likely_topics(turn, limit=1)
    return topics[0] if topics else None
