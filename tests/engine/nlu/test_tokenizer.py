"""VietnameseTokenizer: registration, offsets into the original text, folded lemmas, in a Rasa graph."""
from __future__ import annotations

import unicodedata

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.vietnamese_tokenizer import VietnameseTokenizer


@pytest.fixture
def tokenizer(tmp_path) -> VietnameseTokenizer:  # type: ignore[no-untyped-def]
    return VietnameseTokenizer.create(
        VietnameseTokenizer.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("tokenizer"),
        ExecutionContext(graph_schema=None, model_id="test"),  # type: ignore[arg-type]
    )


def _tokens(tokenizer: VietnameseTokenizer, text: str) -> list:
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    return message.get(TOKENS_NAMES[TEXT])


def test_registered_as_a_rasa_tokenizer() -> None:
    registered = DefaultV1Recipe._registered_components[VietnameseTokenizer.__name__]
    assert registered.clazz is VietnameseTokenizer
    assert DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER in registered.types
    assert registered.is_trainable is False


def test_tokens_point_at_the_text_as_written(tokenizer: VietnameseTokenizer) -> None:
    text = "Em ở phường Đông Hải, xin LLTP ko đc!"
    tokens = _tokens(tokenizer, text)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert [t.text for t in tokens] == ["Em", "ở", "phường", "Đông", "Hải", "xin", "LLTP", "ko", "đc"]
    assert [t.lemma for t in tokens] == [
        "em", "o", "phuong", "dong", "hai", "xin", "ly lich tu phap", "khong", "duoc",
    ]


def test_decomposed_input_keeps_offsets_and_folds_like_composed(tokenizer: VietnameseTokenizer) -> None:
    composed = "Phường Đông Hải"
    decomposed = unicodedata.normalize("NFD", composed)
    tokens = _tokens(tokenizer, decomposed)
    assert [decomposed[t.start : t.end] for t in tokens] == [t.text for t in tokens]
    assert "".join(t.text for t in tokens) == decomposed.replace(" ", "")
    assert [t.lemma for t in tokens] == [t.lemma for t in _tokens(tokenizer, composed)] == ["phuong", "dong", "hai"]
    # an entity found on the token span is still the person's own words
    hai = tokens[-1]
    assert unicodedata.normalize("NFC", decomposed[hai.start : hai.end]) == "Hải"


def test_accented_stripped_and_teencode_give_the_same_features(tokenizer: VietnameseTokenizer) -> None:
    lemmas = [
        [t.lemma for t in _tokens(tokenizer, text)]
        for text in ("Không được hả", "khong duoc ha", "ko đc hả", "KHÔNGGGG ĐƯỢC HẢ")
    ]
    assert all(lemma == lemmas[0] for lemma in lemmas)


def test_numbers_with_k_are_left_alone(tokenizer: VietnameseTokenizer) -> None:
    assert [t.lemma for t in _tokens(tokenizer, "vay 50k")] == ["vay", "50k"]


def test_punctuation_only_message_still_gets_one_token(tokenizer: VietnameseTokenizer) -> None:
    tokens = _tokens(tokenizer, "??")
    assert len(tokens) == 1 and tokens[0].text == "??"


def test_training_data_is_tokenized_without_touching_the_intent(tokenizer: VietnameseTokenizer) -> None:
    data = TrainingData([Message(data={TEXT: "xin lltp ở đâu", "intent": "judicial_record"})])
    tokenizer.process_training_data(data)
    example = data.training_examples[0]
    assert [t.lemma for t in example.get(TOKENS_NAMES[TEXT])] == ["xin", "ly lich tu phap", "o", "dau"]
    assert example.get("intent") == "judicial_record"
