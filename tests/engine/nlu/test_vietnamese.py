"""Normalisation and folding helpers (bot/vietnamese.py)."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from bot.vietnamese import (
    AbbreviationError,
    collapse_repeats,
    feature_form,
    fold_diacritics,
    load_abbreviations,
    normalise,
    normalise_word,
    parse_abbreviations,
)


def test_fold_removes_every_mark_and_maps_d_stroke() -> None:
    assert fold_diacritics("Được hướng dẫn đăng ký ĐỊA CHỈ") == "Duoc huong dan dang ky DIA CHI"


def test_fold_handles_decomposed_input_and_keeps_length_of_nfc_text() -> None:
    nfc = "Xóa án tích ở đâu"
    assert fold_diacritics(unicodedata.normalize("NFD", nfc)) == "Xoa an tich o dau"
    assert len(fold_diacritics(nfc)) == len(nfc)


def test_fold_is_standard_library_only() -> None:
    source = Path("bot/vietnamese.py").read_text(encoding="utf-8")
    top_level_imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert all(
        any(line.startswith(p) for p in ("from __future__", "import re", "import unicodedata",
                                          "from collections", "from functools", "from pathlib"))
        for line in top_level_imports
    ), top_level_imports


@pytest.mark.parametrize("written", ["hoà", "hòa", unicodedata.normalize("NFD", "hoà"), "HOÀ"])
def test_old_and_new_tone_placement_normalise_alike(written: str) -> None:
    assert normalise_word(written) == "hòa"


def test_uy_tone_placement() -> None:
    assert normalise_word("uỷ") == normalise_word("ủy") == "ủy"


@pytest.mark.parametrize(
    ("stretched", "collapsed"),
    [("nhaaa", "nha"), ("khôngggg", "không"), ("nhéee", "nhé"), ("nhée", "nhé"), ("okkkk", "ok")],
)
def test_stretched_letters_collapse(stretched: str, collapsed: str) -> None:
    assert collapse_repeats(stretched) == collapsed


@pytest.mark.parametrize("word", ["xoong", "ưu", "người", "1000", "50k", "2023"])
def test_real_words_and_numbers_are_not_collapsed(word: str) -> None:
    assert collapse_repeats(word) == word


def test_teencode_expands_whole_words_only() -> None:
    abbreviations = load_abbreviations()
    assert normalise("ko đc thì sao", abbreviations) == "không được thì sao"
    assert normalise("kooo", abbreviations) == "không"
    # "ko" inside another word, and "k" inside "50k", stay as written
    assert normalise("kon 50k", abbreviations) == "kon 50k"


def test_domain_abbreviation_is_not_mistaken_for_stretched_letters() -> None:
    assert normalise("CCCD", load_abbreviations()) == "căn cước công dân"


def test_feature_form_is_what_the_classifier_sees() -> None:
    assert feature_form("Làm LLTP ở đâu ạ?") == feature_form("lam ly lich tu phap o dau a")
    assert feature_form("Thanh Hoá ko đc") == "thanh hoa khong duoc"


def test_abbreviation_file_is_valid_and_avoids_ambiguous_keys() -> None:
    lookup = load_abbreviations()
    assert lookup["lltp"] == "lý lịch tư pháp"
    # keys that are ordinary words once diacritics are dropped must not be expanded
    for ambiguous in ("hong", "vay", "nha", "ca", "ls", "v", "z", "hk", "kg"):
        assert ambiguous not in lookup, ambiguous


def test_a_form_listed_for_two_expansions_is_rejected() -> None:
    with pytest.raises(AbbreviationError, match="listed for both"):
        parse_abbreviations({"abbreviations": {"không": ["ko"], "có": ["ko"]}})


def test_a_form_must_be_one_word() -> None:
    with pytest.raises(AbbreviationError, match="single word"):
        parse_abbreviations({"abbreviations": {"không": ["k o"]}})
