"""Intent classifier: logistic regression over TF-IDF n-grams of the folded lemmas.

On this bot's data a linear model over word 1–2-grams and char_wb 2–5-grams of the VietnameseTokenizer's
lemmas (normalised, teencode expanded, diacritics folded) generalises better than DIET's intent head and
gives calmer probabilities: DIET answered everyday questions ("bảng cửu chương") with a policy topic at
0.99, which no fallback threshold can catch. Measurements: docs/nlu.md, "Intent classifier".
DIET stays in the pipeline for entities only (`intent_classification: false`).

The fitted scikit-learn pipeline is stored with skops, and loaded only if every type in the file is one
this component puts there (no pickle of arbitrary objects from a model archive).
"""
from __future__ import annotations

import logging
from typing import Any

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

# Everything a fitted pipeline of this component contains; anything else in the file refuses the load.
TRUSTED_TYPES = frozenset(
    {
        "builtins.slice",
        "numpy.dtype",
        "numpy.float64",
        "numpy.int64",
        "numpy.ndarray",
        "scipy.sparse._csr.csr_matrix",
        "scipy.sparse._dia.dia_matrix",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.pipeline.Pipeline",
    }
)
FILE_NAME = "intent_classifier.skops"


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
        return ["sklearn", "skops"]

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

    def _new_pipeline(self) -> Pipeline:
        word = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", sublinear_tf=True,
                               ngram_range=tuple(self._config["word_ngrams"]))
        char = TfidfVectorizer(analyzer="char_wb", sublinear_tf=True, ngram_range=tuple(self._config["char_ngrams"]))
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
                 for name, p in zip(self._pipeline.classes_, probabilities)),
                key=lambda entry: -entry["confidence"],
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[: self._config["ranking_length"]], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # later components learn from the labels, not from this one's guesses

    def _persist(self) -> None:
        import skops.io as sio

        with self._storage.write_to(self._resource) as directory:
            sio.dump(self._pipeline, directory / FILE_NAME)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / FILE_NAME
                unknown = set(sio.get_untrusted_types(file=path)) - TRUSTED_TYPES
                if unknown:
                    raise ValueError(f"{path} holds types this component never stores: {sorted(unknown)}")
                pipeline = sio.load(path, trusted=sorted(TRUSTED_TYPES))
        except ValueError as error:  # Rasa raises ValueError for a resource that was never written
            logger.warning("LinearIntentClassifier: no usable trained model (%s); intents stay empty.", error)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, pipeline)
