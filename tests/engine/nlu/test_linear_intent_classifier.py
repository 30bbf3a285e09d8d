"""LinearIntentClassifier: registration, train, process, persist/load, and refusing a foreign model file."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.linear_intent_classifier import (
    VOCABULARY_FILE,
    WEIGHTS_FILE,
    LinearIntentClassifier,
    features_text,
)
from bot.components.vietnamese_tokenizer import VietnameseTokenizer

CONTEXT = ExecutionContext(graph_schema=None, model_id="test")  # type: ignore[arg-type]
EXAMPLES = {
    "loan_22_2023": ["vay vốn ngân hàng chính sách", "lãi suất vay bao nhiêu", "vay tiền làm ăn sau khi ra tù"],
    "judicial_record": ["xin lý lịch tư pháp ở đâu", "phiếu lý lịch tư pháp số 1", "làm lý lịch tư pháp mất bao lâu"],
    "out_of_scope": ["thời tiết hôm nay thế nào", "giá vàng hôm nay", "kết quả bóng đá tối qua"],
}


def _tokenized(texts: list[str]) -> list[Message]:
    messages = [Message(data={TEXT: t}) for t in texts]
    VietnameseTokenizer(VietnameseTokenizer.get_default_config()).process(messages)
    return messages


def _trained(tmp_path: Path) -> tuple[LinearIntentClassifier, LocalModelStorage, Resource]:
    storage, resource = LocalModelStorage(tmp_path), Resource("intents")
    data = TrainingData(
        [Message(data={TEXT: text, "intent": intent}) for intent, texts in EXAMPLES.items() for text in texts]
    )
    VietnameseTokenizer(VietnameseTokenizer.get_default_config()).process_training_data(data)
    classifier = LinearIntentClassifier.create(LinearIntentClassifier.get_default_config(), storage, resource, CONTEXT)
    classifier.train(data)
    return classifier, storage, resource


def test_registered_as_a_trainable_intent_classifier() -> None:
    registered = DefaultV1Recipe._registered_components[LinearIntentClassifier.__name__]
    assert registered.clazz is LinearIntentClassifier
    assert DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER in registered.types
    assert registered.is_trainable is True


def test_reads_the_folded_lemmas() -> None:
    [message] = _tokenized(["Lãi suất ko biết bn"])
    assert features_text(message) == "lai suat khong biet bao nhieu"


def test_classifies_text_typed_without_diacritics_and_ranks_every_intent(tmp_path: Path) -> None:
    classifier, _, _ = _trained(tmp_path)
    [loan, record] = classifier.process(_tokenized(["lai suat vay von bao nhieu", "xin ly lich tu phap"]))
    assert loan.get("intent")["name"] == "loan_22_2023"
    assert record.get("intent")["name"] == "judicial_record"
    ranking = loan.get("intent_ranking")
    assert ranking[0]["name"] == "loan_22_2023"
    assert {r["name"] for r in ranking} == set(EXAMPLES)
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6


def test_persisted_model_loads_and_answers_the_same(tmp_path: Path) -> None:
    classifier, storage, resource = _trained(tmp_path)
    config = LinearIntentClassifier.get_default_config()
    loaded = LinearIntentClassifier.load(config, storage, resource, CONTEXT)
    text = "vay vốn làm ăn"
    [before] = classifier.process(_tokenized([text]))
    [after] = loaded.process(_tokenized([text]))
    assert after.get("intent_ranking") == before.get("intent_ranking")


def test_a_model_file_holding_pickled_objects_is_not_loaded(tmp_path: Path) -> None:
    storage, resource = LocalModelStorage(tmp_path), Resource("intents")
    with storage.write_to(resource) as directory:
        (directory / VOCABULARY_FILE).write_text(json.dumps({"classes": ["a"], "vocabularies": {}}))
        np.savez(directory / WEIGHTS_FILE, coef=np.array([object()], dtype=object))
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage, resource, CONTEXT)
    [message] = loaded.process(_tokenized(["vay vốn"]))
    assert message.get("intent") == {"name": None, "confidence": 0.0}


def test_an_untrained_resource_loads_as_a_classifier_without_intents(tmp_path: Path) -> None:
    loaded = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), LocalModelStorage(tmp_path), Resource("never"), CONTEXT)
    [message] = loaded.process(_tokenized(["vay vốn"]))
    assert message.get("intent") == {"name": None, "confidence": 0.0}


def test_a_message_without_tokens_gets_no_intent(tmp_path: Path) -> None:
    classifier, _, _ = _trained(tmp_path)
    [message] = classifier.process([Message(data={TEXT: ""})])
    assert message.get("intent") == {"name": None, "confidence": 0.0}
