"""Cut a long answer into platform-sized bubbles, and render buttons as numbered options.

Cuts are made at the most natural boundary that still fills a bubble reasonably: a blank line, then the
end of a sentence, then a line break, then a space; a word is cut only when one word is longer than a
bubble (a long URL).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from channels.base import Button

Measure = Callable[[str], int]

# Boundaries, best first. Each pattern matches the separator; the cut goes after it.
_BOUNDARIES: tuple[re.Pattern[str], ...] = (
    re.compile(r"\n\s*\n"),                       # paragraph
    re.compile(r"(?<=[.!?…:;])[\"'”»)]*\s+"),      # end of sentence
    re.compile(r"\n"),                            # line
    re.compile(r"\s+"),                           # word
)
# A boundary this early in the window would leave a bubble mostly empty; try a finer one instead.
_MIN_FILL = 0.5


def char_count(text: str) -> int:
    return len(text)


def utf16_count(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int, *, measure: Measure = char_count) -> list[str]:
    """Split text into pieces each at most `limit` long (by `measure`), at natural boundaries."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    text = text.strip()
    pieces: list[str] = []
    while text:
        if measure(text) <= limit:
            pieces.append(text)
            break
        window = _longest_prefix(text, limit, measure)
        cut = max(_best_cut(window), 1)   # always progress, even on a character wider than limit
        head, text = text[:cut].rstrip(), text[cut:].lstrip()
        if head:
            pieces.append(head)
    return pieces


def _longest_prefix(text: str, limit: int, measure: Measure) -> str:
    """The longest prefix of text whose measure fits the limit (plus one character of lookahead)."""
    if measure is char_count:
        return text[: limit + 1]
    low, high = 0, len(text)
    while low < high:               # binary search: measure is monotonic in the prefix length
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[: low + 1]


def _best_cut(window: str) -> int:
    """Where to cut: the end of the last separator of the best kind inside window[:-1].

    The window holds one character more than fits, so a separator right at the limit is seen.
    """
    fits = len(window) - 1
    for level, pattern in enumerate(_BOUNDARIES):
        ends = [m.start() for m in pattern.finditer(window) if m.start() <= fits]
        ends = [end for end in ends if end > 0]
        if not ends:
            continue
        last = ends[-1]
        is_word_level = level == len(_BOUNDARIES) - 1
        if is_word_level or last >= fits * _MIN_FILL:
            # Cut right after the sentence's punctuation (the separator itself is stripped).
            match = pattern.match(window, last)
            return match.end() if match and match.end() <= fits + 1 else last
    return fits


def numbered_options(buttons: Sequence[Button]) -> str:
    """Buttons as text for platforms without buttons; the person answers with the number."""
    return "\n".join(f"{index}. {button.title}" for index, button in enumerate(buttons, start=1))


def split_with_options(
    text: str, buttons: Sequence[Button], limit: int, *, measure: Measure = char_count
) -> list[str]:
    """Split text and append the numbered options to the last bubble (or a bubble of their own)."""
    pieces = split_text(text, limit, measure=measure)
    if not buttons:
        return pieces
    options = numbered_options(buttons)
    if pieces and measure(pieces[-1] + "\n\n" + options) <= limit:
        pieces[-1] = pieces[-1] + "\n\n" + options
    else:
        pieces.extend(split_text(options, limit, measure=measure))
    return pieces
