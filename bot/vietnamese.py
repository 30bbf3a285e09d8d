"""Pure helpers for Vietnamese text: diacritic folding and the normalisation the NLU pipeline uses.

`fold_diacritics` is standard library only: the gateway (Python 3.11, no underthesea) imports it for the
stripped copy of an evaluation file. `normalise_word` / `normalise` use underthesea's tone-placement table,
imported lazily so that importing this module stays cheap and stdlib-only.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

ABBREVIATIONS_FILE = Path(__file__).resolve().parent / "data" / "abbreviations.yml"

# Tone marks only (grave, acute, tilde, hook above, dot below). Circumflex, breve and horn change the
# vowel itself (a/â/ă, o/ô/ơ, u/ư), so "ưu" is not a repeated letter while "ée" is.
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# A syllable or number as typed: letters and digits plus any combining marks (NFD input).
WORD_PATTERN = r"[^\W_][\w\u0300-\u036f]*"
_WORD_RE = re.compile(WORD_PATTERN)


def fold_diacritics(text: str) -> str:
    """Remove every Vietnamese diacritic, đ/Đ → d/D included ("Được" → "Duoc"); case is kept."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.replace("đ", "d").replace("Đ", "D"))


def word_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each word of `text` as written (offsets into the original string, NFD or not)."""
    for match in _WORD_RE.finditer(text):
        yield match.start(), match.end()


def _tone_free(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))


def collapse_repeats(word: str) -> str:
    """Collapse stretched letters: "nhaaa" → "nha", "nhéee"/"nhée" → "nhé", "khôngggg" → "không".

    Two identical plain letters stay ("xoong"), and so do distinct vowels ("ưu", "ươ"); digits are never touched.
    """
    out: list[str] = []
    i = 0
    while i < len(word):
        ch = word[i]
        j = i + 1
        if ch.isalpha():
            base = _tone_free(ch).lower()
            while j < len(word) and word[j].isalpha() and _tone_free(word[j]).lower() == base:
                j += 1
        run = word[i:j]
        if len(run) >= 3:
            # keep the toned letter if the person typed one ("nhaaá" → "nhá")
            out.append(next((c for c in run if c != _tone_free(c)), run[0]))
        elif len(run) == 2 and run[0] != run[1] and run[1] == _tone_free(run[1]):
            out.append(run[0])  # "ée": toned letter then its plain echo
        else:
            out.append(run)
        i = j
    return "".join(out)


@lru_cache(maxsize=1)
def _token_normalize():  # type: ignore[no-untyped-def]
    from underthesea.pipeline.text_normalize import token_normalize

    return token_normalize


def normalise_word(word: str, abbreviations: Mapping[str, str] | None = None) -> str:
    """One written word → its canonical accented form (may be several words after expansion).

    NFC → one tone-placement convention (underthesea: hoá → hóa, uỷ → ủy) → lower case → stretched letters
    collapsed → teencode/abbreviation expanded if the whole word is a key ("ko" → "không"; "50k" stays).
    """
    word = _token_normalize()(unicodedata.normalize("NFC", word)).lower()
    abbreviations = abbreviations or {}
    if word in abbreviations:  # before collapsing: "cccd" is an abbreviation, not a stretched "cd"
        return abbreviations[word]
    word = collapse_repeats(word)
    return abbreviations.get(word, word)


def normalise(text: str, abbreviations: Mapping[str, str] | None = None) -> str:
    """Normalise every word of a text and join them with single spaces (punctuation is dropped)."""
    if abbreviations is None:
        abbreviations = load_abbreviations()
    return " ".join(normalise_word(text[s:e], abbreviations) for s, e in word_spans(text))


def feature_form(text: str, abbreviations: Mapping[str, str] | None = None) -> str:
    """What the classifier sees of a text: normalised, then folded ("Hoà ko đc" → "hoa khong duoc")."""
    return fold_diacritics(normalise(text, abbreviations))


class AbbreviationError(ValueError):
    """Raised when the abbreviation data file is malformed (a form listed twice, not one word, ...)."""


def parse_abbreviations(data: object, source: str = "abbreviations") -> dict[str, str]:
    """Turn the editors' mapping `expansion: [typed forms]` into a lookup `form → expansion`."""
    if not isinstance(data, dict) or not isinstance(data.get("abbreviations"), dict):
        raise AbbreviationError(f"{source}: expected a top-level mapping 'abbreviations: {{expansion: [forms]}}'")
    lookup: dict[str, str] = {}
    for expansion, forms in data["abbreviations"].items():
        if not isinstance(expansion, str) or not isinstance(forms, list) or not forms:
            raise AbbreviationError(f"{source}: '{expansion}' must map to a non-empty list of typed forms")
        canonical = " ".join(unicodedata.normalize("NFC", expansion).lower().split())
        for form in forms:
            key = unicodedata.normalize("NFC", str(form)).lower()
            if not _WORD_RE.fullmatch(key):
                raise AbbreviationError(f"{source}: form {form!r} of '{expansion}' is not a single word")
            if key in lookup and lookup[key] != canonical:
                raise AbbreviationError(
                    f"{source}: form {form!r} is listed for both '{lookup[key]}' and '{canonical}'"
                )
            lookup[key] = canonical
    return lookup


@lru_cache(maxsize=4)
def load_abbreviations(path: Path = ABBREVIATIONS_FILE) -> dict[str, str]:
    """The teencode/abbreviation lookup from the data file content editors maintain."""
    import yaml  # PyYAML: in both environments, but only needed here

    with path.open(encoding="utf-8") as handle:
        return parse_abbreviations(yaml.safe_load(handle), str(path))
