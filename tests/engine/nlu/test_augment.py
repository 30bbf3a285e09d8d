"""bot/augment.py: diacritic-free and teencode variants, entity offsets kept."""
from __future__ import annotations

from pathlib import Path

import yaml

from bot.augment import Example, augment_directory, teencode_forms, to_folded, to_teencode, variants
from bot.vietnamese import load_abbreviations

FORMS = teencode_forms(load_abbreviations())


def _entity_texts(example: Example) -> list[str]:
    return [example.text[e["start"] : e["end"]] for e in example.entities]


def test_folded_variant_keeps_entity_offsets() -> None:
    original = Example(
        "xin phiếu số 1 ở đâu",
        ({"start": 4, "end": 14, "value": "so_1", "entity": "certificate"},),
    )
    folded = to_folded(original)
    assert folded.text == "xin phieu so 1 o dau"
    assert _entity_texts(folded) == ["phieu so 1"]
    assert folded.entities[0]["value"] == "so_1"


def test_teencode_variant_replaces_phrases_outside_entities_and_shifts_offsets() -> None:
    text = "em không biết xin lý lịch tư pháp ở phường Đông Hải được không"
    start = text.index("Đông Hải")
    original = Example(text, ({"start": start, "end": start + 8, "value": "Đông Hải", "entity": "ward"},))
    variant = to_teencode(original, FORMS)
    assert variant.text == "e ko bik xin lltp o phuong dong hai dc ko"
    assert _entity_texts(variant) == ["dong hai"]
    assert variant.entities[0]["value"] == "dong hai"  # ward is kept as written


def test_no_replacement_inside_an_entity() -> None:
    text = "vay để học nghề được không"
    original = Example(text, ({"start": 7, "end": 15, "value": "hoc_nghe", "entity": "loan_purpose"},))
    variant = to_teencode(original, FORMS)
    assert _entity_texts(variant) == ["hoc nghe"]
    assert variant.text.endswith("dc ko")


def test_variants_skip_copies_identical_to_the_original() -> None:
    assert variants(Example("xin chao"), FORMS) == []
    texts = [v.text for v in variants(Example("Không được"), FORMS)]
    assert texts == ["Khong duoc", "ko dc"]


def test_augment_directory_writes_rasa_yaml_with_variants(tmp_path: Path) -> None:
    source = tmp_path / "nlu"
    source.mkdir()
    (source / "t.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: judicial_record\n  examples: |\n'
        "    - xin lý lịch tư pháp ở đâu\n    - xin ly lich tu phap o dau\n",
        encoding="utf-8",
    )
    before, after = augment_directory(source, tmp_path / "out.yml")
    data = yaml.safe_load((tmp_path / "out.yml").read_text(encoding="utf-8"))
    examples = data["nlu"][0]["examples"]
    assert (before, after) == (2, 3)  # the folded copy was written by hand already: not added twice
    assert "- xin lltp o dau" in examples
