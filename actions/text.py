"""Vietnamese text normalisation for lexical matching (pure, no Rasa import).

People type with and without diacritics, in teencode and with mixed Unicode forms, so every text
(question, article, user message) goes through the same `terms()` before it is compared.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

from bot.vietnamese import feature_form

# Function words that carry no topic; dropping them keeps BM25 from matching on "tôi có được không".
STOP_WORDS: frozenset[str] = frozenset(
    "toi minh em anh chi ban co duoc khong thi la va voi cua cho nhung cac mot nay do o ve gi sao nao "
    "a ah nhe nha oi lam xin cam on muon phai se da dang bi".split()
)
# Deliberately kept although they fold onto function words: "vay" (vay/vậy), "can" (căn/cần),
# "the" (thẻ/thế), "hoi" (hội/hỏi) carry topics.


def syllables(text: str) -> list[str]:
    """Folded syllables of a text, with teencode and abbreviations expanded the way the NLU pipeline
    expands them (bot.vietnamese), so "ko dc" and "không được" give the same syllables."""
    return feature_form(text).lower().split()


@lru_cache(maxsize=8192)
def terms(text: str) -> tuple[str, ...]:
    """Matching terms: content syllables plus bigrams of adjacent syllables (the bigram keeps
    multi-syllable words like "lý lịch" or "án tích" apart from their parts)."""
    sylls = syllables(text)
    content = [s for s in sylls if s not in STOP_WORDS]
    bigrams = [f"{a}_{b}" for a, b in pairwise(sylls) if not (a in STOP_WORDS and b in STOP_WORDS)]
    return tuple(content + bigrams)
