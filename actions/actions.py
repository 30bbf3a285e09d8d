"""The custom actions of domain.yml. Each one reads the tracker, decides with the pure helpers
(actions.dialogue, actions.render) and sends docs/architecture.md's json messages."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.dialogue import (
    CLARIFY_ARTICLE,
    FIXED_ARTICLES,
    OFFER_OFFICER_ARTICLE,
    Answer,
    Decision,
    Turn,
    alternatives,
    clarify_choices,
    context_answer,
    decide_answer,
    is_payload,
    strong_match_anywhere,
    topic_guess,
)
from actions.feedback import feedback_value
from actions.kb import find, get_kb, get_ranker
from actions.ranking import is_confident, is_strong
from actions.render import Message, article_button, handoff_button, render_article, render_choices, render_text
from actions.unanswered import record_unanswered
from bot.topics import POLICY_TOPICS
from knowledge_base import Article

logger = logging.getLogger(__name__)

HANDOFF_USER_REQUEST = {"reason": "user_request", "priority": "normal"}
HANDOFF_AFTER_FALLBACK = {"reason": "fallback", "priority": "normal"}
HANDOFF_AFTER_FEEDBACK = {"reason": "feedback", "priority": "normal"}
HANDOFF_CRISIS = {"reason": "crisis", "priority": "urgent"}
# Consecutive misses after which the bot offers an officer (and a later handoff carries that reason).
OFFER_OFFICER_AFTER = 2


def turn_of(tracker: Tracker) -> Turn:
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    entities: dict[str, str] = {}
    for entity in message.get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        if name and isinstance(value, str) and name not in entities:
            entities[name] = value
    ranking = tuple(
        (str(item.get("name")), float(item.get("confidence") or 0.0)) for item in message.get("intent_ranking") or []
    )
    return Turn(
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        text=message.get("text") or "",
        entities=entities,
        intent_ranking=ranking,
        last_topic=tracker.get_slot("last_topic"),
        last_article_id=tracker.get_slot("last_article_id"),
    )


def last_question(tracker: Tracker) -> str:
    """The person's last typed question (button payloads are not questions)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            text = event.get("text") or ""
            if text and not is_payload(text):
                return text
    return ""


def send(dispatcher: CollectingDispatcher, messages: Iterable[Message]) -> None:
    for message in messages:
        dispatcher.utter_message(json_message=message)


def count_slot(tracker: Tracker, name: str) -> int:
    value = tracker.get_slot(name)
    return int(value) if isinstance(value, (int, float)) else 0


def answer_events(decision: Decision, *, reset_feedback: bool) -> list[EventType]:
    """Slots after an answer or an ask-back: remember the policy topic, clear the miss counters."""
    events: list[EventType] = [SlotSet("fallback_count", 0)]
    if reset_feedback:
        events.append(SlotSet("not_helpful_count", 0))
    if decision.topic in POLICY_TOPICS:
        events.append(SlotSet("last_topic", decision.topic))
        article_id = decision.article.id if isinstance(decision, Answer) else None
        events.append(SlotSet("last_article_id", article_id))
    return events


def render_decision(decision: Decision) -> list[Message]:
    if isinstance(decision, Answer):
        extra = [handoff_button()] if decision.topic == "out_of_scope" else []
        return render_article(decision.article, topic=decision.topic, extra_buttons=extra)
    if not decision.choices:
        return render_text(decision.topic, texts.TOPIC_NOT_COVERED, buttons=[handoff_button()])
    return render_choices(decision.topic, texts.ASK_BACK, decision.choices)


class ActionAnswer(Action):
    """Answer a question from the knowledge base, or ask back when the article is unclear."""

    def name(self) -> str:
        return "action_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = turn_of(tracker)
        decision = decide_answer(turn, get_kb(), get_ranker())
        send(dispatcher, render_decision(decision))
        # Picking another article after "Chưa đúng ý" keeps the count, so two misses in a row still add up.
        return answer_events(decision, reset_feedback=turn.intent != "choose_article")


class ActionFeedback(Action):
    """Thank for "Hữu ích"; after "Chưa đúng ý" offer other articles, then an officer."""

    def name(self) -> str:
        return "action_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = turn_of(tracker)
        topic = turn.last_topic or "out_of_scope"
        if feedback_value(turn.entities.get("value"), turn.text) == "helpful":
            send(dispatcher, render_text(topic, texts.FEEDBACK_THANKS))
            return [SlotSet("not_helpful_count", 0)]
        misses = count_slot(tracker, "not_helpful_count") + 1
        question = last_question(tracker)
        if question:
            record_unanswered(question, turn.last_topic)
        if misses >= OFFER_OFFICER_AFTER:
            # Offering is not escalating: the handoff happens when the person taps the button.
            send(dispatcher, render_text(topic, texts.FEEDBACK_OFFER_OFFICER, buttons=[handoff_button()]))
        else:
            exclude = [turn.last_article_id] if turn.last_article_id else []
            choices = alternatives(question, turn.last_topic, get_kb(), get_ranker(), exclude=exclude)
            if choices:
                send(dispatcher, render_choices(topic, texts.FEEDBACK_SORRY, choices))
            else:
                send(dispatcher, render_text(topic, texts.FEEDBACK_SORRY_NO_OPTIONS))
        return [SlotSet("not_helpful_count", misses)]


class ActionFallback(Action):
    """An unsure message: read it in the previous answer's topic if it fits, else ask "did you
    mean…", and on the second miss in a row offer an officer."""

    def name(self) -> str:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        kb, ranker = get_kb(), get_ranker()
        turn = turn_of(tracker)
        # The previous answer's topic first, then a clear match anywhere in the knowledge base.
        followed = context_answer(turn, kb, ranker) or strong_match_anywhere(turn, kb, ranker)
        if followed is not None:
            send(dispatcher, render_decision(followed))
            return answer_events(followed, reset_feedback=True)
        misses = count_slot(tracker, "fallback_count") + 1
        record_unanswered(turn.text, topic_guess(turn))
        if misses >= OFFER_OFFICER_AFTER:
            offer = find(OFFER_OFFICER_ARTICLE)
            messages = (
                render_article(offer, topic="out_of_scope", extra_buttons=[handoff_button()])
                if offer is not None
                else render_text("out_of_scope", texts.OFFER_OFFICER_FALLBACK, buttons=[handoff_button()])
            )
        else:
            choices = clarify_choices(turn, kb, ranker)
            clarify = find(CLARIFY_ARTICLE)
            if clarify is not None:
                buttons = [article_button(a.title, a.id) for a in choices]
                messages = render_article(clarify, topic="out_of_scope", extra_buttons=buttons)
            else:
                messages = render_choices("out_of_scope", texts.CLARIFY_FALLBACK, choices)
        send(dispatcher, messages)
        return [SlotSet("fallback_count", misses)]


def _fixed_or_text(topic: str, fallback_text: str, handoff: dict[str, str]) -> list[Message]:
    """The fixed article of a topic; a built-in text if the knowledge base cannot give it."""
    try:
        article = find(FIXED_ARTICLES[topic])
    except Exception:
        logger.exception("knowledge base unavailable for %s", topic)
        article = None
    if article is None:
        return render_text(topic, fallback_text, handoff=handoff)
    return render_article(article, topic=topic, handoff=handoff)


class ActionHandoff(Action):
    """The person asked for an officer (or tapped "Gặp cán bộ"): the gateway moves the conversation."""

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if count_slot(tracker, "fallback_count") >= OFFER_OFFICER_AFTER:
            handoff = HANDOFF_AFTER_FALLBACK
        elif count_slot(tracker, "not_helpful_count") >= OFFER_OFFICER_AFTER:
            handoff = HANDOFF_AFTER_FEEDBACK
        else:
            handoff = HANDOFF_USER_REQUEST
        send(dispatcher, _fixed_or_text("handoff", texts.HANDOFF_FALLBACK, handoff))
        return [SlotSet("fallback_count", 0), SlotSet("not_helpful_count", 0)]


class ActionCrisis(Action):
    """Danger: the emergency numbers first, and an urgent handoff to the officers. The crisis
    article that fits the message (threats, violence, trafficking) if one clearly does."""

    def name(self) -> str:
        return "action_crisis"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        article = None
        try:
            article = crisis_article(turn_of(tracker).text)
        except Exception:
            logger.exception("knowledge base unavailable for crisis")
        if article is None:
            messages = render_text("crisis", texts.CRISIS_FALLBACK, handoff=HANDOFF_CRISIS)
        else:
            first = article.answer[0] if article.answer else ""
            # The numbers must be in the very first bubble, whatever the article says.
            first_bubble = None if ("113" in first and "115" in first) else texts.CRISIS_FIRST_LINE
            messages = render_article(
                article, topic="crisis", handoff=HANDOFF_CRISIS, first_bubble=first_bubble, feedback=False
            )
        send(dispatcher, messages)
        return [SlotSet("fallback_count", 0), SlotSet("not_helpful_count", 0)]


def crisis_article(text: str) -> Article | None:
    """A specific crisis article when the ranking clearly picks one, else crisis.now."""
    ranked = get_ranker().rank(text, "crisis")
    if ranked and is_confident(ranked) and is_strong(ranked[0]):
        return get_kb().get(ranked[0].article_id)
    return find(FIXED_ARTICLES["crisis"])
