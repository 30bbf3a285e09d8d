"""CountVectorsFeaturizer over a field the VietnameseTokenizer stores on each token.

Rasa's CountVectorsFeaturizer reads Token.lemma (folded) or Token.text (as written). This subclass reads
token data instead, so a pipeline can add one more bag-of-words channel:
  token_field: accented  — normalised form with its diacritics (tells "vậy" from "vay" when accents exist)
  token_field: word      — underthesea word ("ly_lich", "tu_phap"); tokenizer needs segment_words: true
Everything else (vocabulary, OOV, persistence, sparse sequence/sentence features) is Rasa's.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class TokenFieldFeaturizer(CountVectorsFeaturizer):
    """Bag-of-words features of token data field `token_field` (falls back to the lemma)."""

    @staticmethod
    def required_components() -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**CountVectorsFeaturizer.get_default_config(), "token_field": "accented"}

    def _get_message_tokens_by_attribute(self, message: Message, attribute: str) -> list[str]:
        field = self._config["token_field"]
        return [t.get(field) or t.lemma for t in message.get(TOKENS_NAMES[attribute]) or []]
