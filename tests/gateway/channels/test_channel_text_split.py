"""Splitting long answers into bubbles: limits, sentence boundaries, words kept whole."""
from __future__ import annotations

import pytest

from channels.base import Button
from channels.text import numbered_options, split_text, split_with_options, utf16_count

SENTENCE = "Bạn mang căn cước đến Công an xã nơi cư trú để nộp hồ sơ."   # 58 characters


@pytest.mark.parametrize("limit", [2000, 4096, 80, 30])
def test_every_piece_fits_the_limit_and_nothing_is_lost(limit: int) -> None:
    text = " ".join([SENTENCE] * 120)
    pieces = split_text(text, limit)
    assert all(len(piece) <= limit for piece in pieces)
    assert " ".join(pieces).split() == text.split()


def test_short_text_is_one_piece_unchanged() -> None:
    assert split_text("Xin chào!", 2000) == ["Xin chào!"]


def test_cuts_at_the_end_of_a_sentence_rather_than_mid_sentence() -> None:
    text = " ".join([SENTENCE] * 50)      # ~2950 characters
    pieces = split_text(text, 2000)
    assert len(pieces) == 2
    assert all(piece.endswith("hồ sơ.") for piece in pieces)
    assert all(piece.startswith("Bạn mang") for piece in pieces)


def test_prefers_a_paragraph_break_when_it_fills_the_bubble_reasonably() -> None:
    first = " ".join([SENTENCE] * 20)             # ~1180
    second = " ".join([SENTENCE] * 20)
    pieces = split_text(first + "\n\n" + second, 2000)
    assert pieces == [first, second]


def test_never_cuts_a_word_when_a_space_is_available() -> None:
    text = ("khong co dau cham nao ca " * 200).strip()
    words = set(text.split())
    for piece in split_text(text, 100):
        assert len(piece) <= 100
        assert set(piece.split()) <= words


def test_a_word_longer_than_the_limit_is_cut_as_a_last_resort() -> None:
    url = "https://dichvucong.gov.vn/" + "a" * 100
    pieces = split_text(url, 50)
    assert "".join(pieces) == url
    assert all(len(piece) <= 50 for piece in pieces)


def test_telegram_measure_counts_emoji_twice() -> None:
    text = "🙂" * 3000                    # 3000 characters, 6000 UTF-16 units
    pieces = split_text(text, 4096, measure=utf16_count)
    assert all(utf16_count(piece) <= 4096 for piece in pieces)
    assert "".join(pieces) == text
    assert len(pieces) == 2


def test_numbered_options_are_appended_to_the_last_bubble() -> None:
    buttons = [Button("Lãi suất?", "/a"), Button("Gặp cán bộ", "/b")]
    assert numbered_options(buttons) == "1. Lãi suất?\n2. Gặp cán bộ"
    pieces = split_with_options("Bạn có thể vay vốn.", buttons, 2000)
    assert pieces == ["Bạn có thể vay vốn.\n\n1. Lãi suất?\n2. Gặp cán bộ"]


def test_numbered_options_get_their_own_bubble_when_the_last_one_is_full() -> None:
    buttons = [Button("Gặp cán bộ", "/b")]
    text = "x" * 1995
    pieces = split_with_options(text, buttons, 2000)
    assert pieces == [text, "1. Gặp cán bộ"]
