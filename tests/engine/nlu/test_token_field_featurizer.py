"""TokenFieldFeaturizer: registration, train, process, persist/load on a tiny set."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.token_field_featurizer import TokenFieldFeaturizer
from bot.components.vietnamese_tokenizer import VietnameseTokenizer, segment_tokens

CONTEXT = ExecutionContext(graph_schema=None, model_id="test")  # type: ignore[arg-type]


def _tokenizer(**config: object) -> VietnameseTokenizer:
    return VietnameseTokenizer({**VietnameseTokenizer.get_default_config(), **config})


def _featurizer(storage: LocalModelStorage, resource: Resource, field: str) -> TokenFieldFeaturizer:
    config = {**TokenFieldFeaturizer.get_default_config(), "token_field": field}
    return TokenFieldFeaturizer.create(config, storage, resource, CONTEXT)


def _training_data(tokenizer: VietnameseTokenizer) -> TrainingData:
    data = TrainingData(
        [
            Message(data={TEXT: "vay vốn học nghề", "intent": "loan_22_2023"}),
            Message(data={TEXT: "vậy nhé, chào", "intent": "goodbye"}),
            Message(data={TEXT: "xin lý lịch tư pháp", "intent": "judicial_record"}),
        ]
    )
    return tokenizer.process_training_data(data)


def test_registered_as_a_trainable_featurizer() -> None:
    registered = DefaultV1Recipe._registered_components[TokenFieldFeaturizer.__name__]
    assert registered.clazz is TokenFieldFeaturizer
    assert DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER in registered.types
    assert registered.is_trainable is True


def test_accented_channel_tells_vay_from_vay(tmp_path: Path) -> None:
    tokenizer = _tokenizer()
    storage, resource = LocalModelStorage(tmp_path), Resource("accented")
    featurizer = _featurizer(storage, resource, "accented")
    featurizer.train(_training_data(tokenizer))
    vocabulary = featurizer.vectorizers[TEXT].vocabulary_
    assert {"vay", "vậy"} <= set(vocabulary)  # the folded lemma would have merged them

    message = Message(data={TEXT: "Vậy nhé"})
    tokenizer.process([message])
    loaded = TokenFieldFeaturizer.load(
        {**TokenFieldFeaturizer.get_default_config(), "token_field": "accented"}, storage, resource, CONTEXT
    )
    loaded.process([message])
    sequence, sentence = message.get_sparse_features(TEXT)
    assert sequence is not None and sentence is not None
    row = sentence.features.toarray()[0]
    assert row[vocabulary["vậy"]] == 1 and row[vocabulary["vay"]] == 0


def test_word_channel_sees_underthesea_words(tmp_path: Path) -> None:
    tokenizer = _tokenizer(segment_words=True)
    featurizer = _featurizer(LocalModelStorage(tmp_path), Resource("word"), "word")
    featurizer.train(_training_data(tokenizer))
    assert "ly_lich" in featurizer.vectorizers[TEXT].vocabulary_


def test_segmentation_keeps_one_entry_per_token() -> None:
    words = segment_tokens(["xin", "lý lịch tư pháp", "ở", "đâu"])
    assert len(words) == 4
    assert words[1] == "lý_lịch tư_pháp"


@pytest.mark.parametrize("text", ["xin lltp", "ko"])
def test_lemma_is_used_when_the_field_is_missing(tmp_path: Path, text: str) -> None:
    featurizer = _featurizer(LocalModelStorage(tmp_path), Resource("missing"), "no_such_field")
    message = Message(data={TEXT: text})
    _tokenizer().process([message])
    assert featurizer._get_message_tokens_by_attribute(message, TEXT) == [
        t.lemma for t in message.get("text_tokens")
    ]
