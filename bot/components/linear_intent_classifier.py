"""Intent classifier: logistic regression over TF-IDF n-grams of the folded lemmas.

On this bot's data a linear model over word 1–2-grams and char_wb 2–5-grams of the VietnameseTokenizer's
lemmas (normalised, teencode expanded, diacritics folded) generalises better than DIET's intent head and
gives calmer probabilities: DIET answered everyday questions ("bảng cửu chương") with a policy topic at
0.99, which no fallback threshold can catch. Measurements: docs/nlu.md, "Intent classifier".
DIET stays in the pipeline for entities only (`intent_classification: false`).

The model is stored as plain data: the n-gram vocabularies and class names in JSON, the IDF weights and
coefficients in an .npz read with allow_pickle=False. Nothing in a model archive is unpickled, and the
engine is lighter than with skops (a 10 MB schema for 13k n-grams; `make bench`: 1,246 → 1,219 MiB).
"""
from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

logger = logging.getLogger(__name__)

VOCABULARY_FILE = "intent_classifier.json"
WEIGHTS_FILE = "intent_classifier.npz"
CHANNELS = ("word", "char")


def features_text(message: Message) -> str:
    """What the classifier reads: the tokens' lemmas (folded, normalised), one space apart."""
    return " ".join(token.lemma for token in message.get(TOKENS_NAMES[TEXT]) or [])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Sets `intent` and `intent_ranking` from a logistic regression over lemma n-grams."""

    @staticmethod
    def required_components() -> list[type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 30.0,  # inverse regularisation; 10-30 scored alike on dev, 1 underfits (docs/nlu.md)
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "max_iter": 3000,
            "ranking_length": 10,
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 pipeline: Pipeline | None = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._pipeline = pipeline

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def _new_pipeline(self, vocabularies: dict[str, list[str]] | None = None) -> Pipeline:
        def vectorizer(channel: str, **options: Any) -> TfidfVectorizer:
            fixed = vocabularies[channel] if vocabularies else None
            return TfidfVectorizer(sublinear_tf=True, vocabulary=fixed, **options)

        words = r"\S+"  # the tokenizer's lemmas, space-separated
        word = vectorizer("word", analyzer="word", token_pattern=words, ngram_range=tuple(self._config["word_ngrams"]))
        char = vectorizer("char", analyzer="char_wb", ngram_range=tuple(self._config["char_ngrams"]))
        model = LogisticRegression(C=self._config["C"], max_iter=self._config["max_iter"])
        return Pipeline([("features", FeatureUnion([("word", word), ("char", char)])), ("model", model)])

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT) and features_text(m)]
        labels = {m.get(INTENT) for m in examples}
        if len(labels) < 2:
            logger.warning("LinearIntentClassifier: fewer than two intents to learn; not trained.")
            return self._resource
        pipeline = self._new_pipeline()
        pipeline.fit([features_text(m) for m in examples], [m.get(INTENT) for m in examples])
        self._pipeline = pipeline
        self._persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = features_text(message)
            if self._pipeline is None or not text:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            probabilities = self._pipeline.predict_proba([text])[0]
            ranking = sorted(
                ({"name": str(name), "confidence": float(p)}
                 for name, p in zip(self._pipeline.classes_, probabilities, strict=True)),
                key=lambda entry: -entry["confidence"],
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[: self._config["ranking_length"]], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # later components learn from the labels, not from this one's guesses

    def _persist(self) -> None:
        assert self._pipeline is not None
        features = dict(self._pipeline.named_steps["features"].transformer_list)
        model = self._pipeline.named_steps["model"]
        vocabularies = {c: sorted(features[c].vocabulary_, key=features[c].vocabulary_.get) for c in CHANNELS}
        with self._storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(
                json.dumps({"classes": [str(c) for c in model.classes_], "vocabularies": vocabularies},
                           ensure_ascii=False), encoding="utf-8")
            np.savez(directory / WEIGHTS_FILE, coef=model.coef_, intercept=model.intercept_,
                     **{f"idf_{c}": features[c].idf_ for c in CHANNELS})

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                stored = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
                with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as weights:
                    arrays = {name: weights[name] for name in weights.files}
        except (ValueError, OSError) as error:  # Rasa raises ValueError for a resource never written
            logger.warning("LinearIntentClassifier: no usable trained model (%s); intents stay empty.", error)
            return component
        pipeline = component._new_pipeline(stored["vocabularies"])
        features = dict(pipeline.named_steps["features"].transformer_list)
        for channel in CHANNELS:
            features[channel].idf_ = arrays[f"idf_{channel}"]
        model = pipeline.named_steps["model"]
        model.classes_ = np.array(stored["classes"])
        model.coef_, model.intercept_ = arrays["coef"], arrays["intercept"]
        component._pipeline = pipeline
        return component
