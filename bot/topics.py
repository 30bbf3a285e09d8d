"""The topic taxonomy of shared/PRODUCT.md and the one intent -> topic map.

Pure Python (no Rasa import) so the engine, the actions, the evaluation and the gateway can all use it.
"""
from __future__ import annotations

# Fixed codes: every bot reply carries one of these.
POLICY_TOPICS: tuple[str, ...] = (
    "judicial_record",
    "expungement",
    "loan_22_2023",
    "vocational_training",
    "employment",
    "reintegration_support",
    "residence_identity",
    "legal_aid",
    "social_protection",
    "scam_warning",
    "family_support",
)
CONVERSATION_TOPICS: tuple[str, ...] = (
    "handoff",
    "crisis",
    "greeting",
    "thanks",
    "goodbye",
    "out_of_scope",
)
TOPICS: tuple[str, ...] = POLICY_TOPICS + CONVERSATION_TOPICS

# Intents trained from examples. Each topic has one intent of the same name; finer intents, if ever
# added, map here too.
INTENT_TO_TOPIC: dict[str, str] = {topic: topic for topic in TOPICS}

# Intents whose topic comes from the conversation, not from the message:
#   followup       "còn lãi suất thì sao?"  -> the topic of the previous answer
#   choose_article button payload /choose_article{"article_id": "..."} -> that article's topic
#   feedback       button payload /feedback{"value": "helpful" | "not_helpful"}
CONTEXT_INTENTS: tuple[str, ...] = ("followup", "choose_article", "feedback")

# What Rasa's FallbackClassifier predicts when it is unsure; scored and answered as out_of_scope.
FALLBACK_INTENT = "nlu_fallback"


def topic_of_intent(intent: str | None) -> str | None:
    """The topic an intent routes to; None for context intents; out_of_scope for fallback/unknown."""
    if intent in INTENT_TO_TOPIC:
        return INTENT_TO_TOPIC[intent]
    if intent in CONTEXT_INTENTS:
        return None
    return "out_of_scope"
