"""Reading a feedback turn (pure): the button's value, or the person's own words."""
from __future__ import annotations

from bot.vietnamese import fold_diacritics

HELPFUL = "helpful"
NOT_HELPFUL = "not_helpful"

# Typed praise; anything else typed as feedback is read as a complaint ("sai rồi", "không phải").
_HELPFUL_WORDS = ("huu ich", "dung roi", "dung y", "hay qua", "tot qua", "ok", "cam on")
_NEGATIONS = ("chua", "khong", "ko", "sai")


def feedback_value(entity_value: str | None, text: str) -> str:
    if entity_value in (HELPFUL, NOT_HELPFUL):
        return entity_value
    folded = f" {fold_diacritics(text).lower()} "
    if any(f" {neg} " in folded for neg in _NEGATIONS):
        return NOT_HELPFUL
    return HELPFUL if any(word in folded for word in _HELPFUL_WORDS) else NOT_HELPFUL
