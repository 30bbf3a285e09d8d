"""tools/train.py: the model is named after its inputs, so a stale model is never used."""
from __future__ import annotations

from pathlib import Path

import pytest

import tools.train as train


def test_current_model_is_found_only_for_the_current_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(train, "MODELS", tmp_path)
    assert train.current_model_path() is None
    (tmp_path / "0123456789abcdef.tar.gz").write_bytes(b"an older model")
    assert train.current_model_path() is None
    current = tmp_path / f"{train.inputs_hash()}.tar.gz"
    current.write_bytes(b"model")
    assert train.current_model_path() == current


def test_hash_follows_the_domain_content(tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text("intents: [greeting]\n", encoding="utf-8")
    first = train.inputs_hash(domain)
    assert train.inputs_hash(domain) == first
    domain.write_text("intents: [greeting, thanks]\n", encoding="utf-8")
    assert train.inputs_hash(domain) != first


def test_hash_covers_the_abbreviation_data_file() -> None:
    inputs = {p.relative_to(train.ROOT).as_posix() for p in train._input_files(train.DOMAIN)}
    assert {"config.yml", "domain.yml", "bot/data/abbreviations.yml", "bot/vietnamese.py"} <= inputs
    assert any(name.startswith("nlu_data/nlu/") for name in inputs)
