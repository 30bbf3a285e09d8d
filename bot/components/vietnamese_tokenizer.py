"""Syllable tokenizer whose tokens point at the text as written and carry the normalised, folded form.

Token.text/start/end are spans of the original message (NFD or not), so entity offsets stay valid.
Token.lemma is what CountVectorsFeaturizer reads (`use_lemma: true`): normalised (NFC, one tone-placement
convention, lower case, stretched letters collapsed, teencode expanded per whole word) and then folded
(no diacritics, đ → d), so "Lý lịch tư pháp", "ly lich tu phap" and "lltp" look the same to the classifier.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.vietnamese import (
    ABBREVIATIONS_FILE,
    fold_diacritics,
    load_abbreviations,
    normalise_word,
    word_spans,
)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    """Splits Vietnamese text into syllables; lemma = normalised + diacritic-folded form."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # The teencode/abbreviation data file; None = bot/data/abbreviations.yml.
            "abbreviations_file": None,
            # Fold diacritics out of the lemma (False keeps the accented normalised form).
            "fold_diacritics": True,
            # Also run underthesea word segmentation and store each syllable's (folded, "_"-joined)
            # word in token data "word", for a word-level featurizer channel (docs/nlu.md measures it).
            "segment_words": False,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        path = config.get("abbreviations_file")
        self._abbreviations = load_abbreviations(Path(path) if path else ABBREVIATIONS_FILE)
        self._fold = bool(config.get("fold_diacritics", True))
        self._segment = bool(config.get("segment_words", False))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text: str = message.get(attribute)
        tokens: list[Token] = []
        for start, end in word_spans(text):
            accented = normalise_word(text[start:end], self._abbreviations)
            lemma = fold_diacritics(accented) if self._fold else accented
            # "accented": the normalised form before folding, for an accent-aware featurizer channel
            tokens.append(Token(text[start:end], start, end, data={"accented": accented}, lemma=lemma))
        if not tokens:
            # Only punctuation or emoji: one token for the whole text, as WhitespaceTokenizer does.
            return [Token(text, 0, len(text), lemma=text.strip() or text)]
        if self._segment:
            for token, word in zip(tokens, segment_tokens([t.get("accented") for t in tokens]), strict=True):
                token.set("word", fold_diacritics(word) if self._fold else word)
        return self._apply_token_pattern(tokens)


def segment_tokens(token_texts: list[str]) -> list[str]:
    """For each token (one or more syllables), the underthesea words it belongs to, "_"-joined.

    word_tokenize(use_token_normalize=False) so that no character changes; if it still returns a different
    number of syllables, each token falls back to its own syllables.
    """
    from underthesea import word_tokenize

    syllables_per_token = [t.split() for t in token_texts]
    flat = [s for syllables in syllables_per_token for s in syllables]
    words = word_tokenize(" ".join(flat), use_token_normalize=False)
    owner: list[str] = []
    for word in words:
        parts = word.split()
        owner.extend(["_".join(parts)] * len(parts))
    if len(owner) != len(flat):
        return ["_".join(s) for s in syllables_per_token]
    out: list[str] = []
    position = 0
    for syllables in syllables_per_token:
        covering = dict.fromkeys(owner[position : position + len(syllables)])  # ordered, unique
        out.append(" ".join(covering))
        position += len(syllables)
    return out
