"""Training-time augmentation: diacritic-free and teencode variants of every NLU example.

People type without diacritics and in teencode; the training files are written mostly with diacritics.
`tools.train` runs this on nlu_data/nlu/*.yml into build/ before every training run, so nobody types
the variants by hand and the variants follow the abbreviation data file (bot/data/abbreviations.yml).

Entity annotations survive: folding keeps every character's position, and a teencode replacement is
never made across an entity boundary (offsets after it are shifted).

    python -m bot.augment nlu_data/nlu build/nlu_augmented.yml     # what tools.train does
"""
from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.vietnamese import fold_diacritics, load_abbreviations, normalise, word_spans

Entity = dict[str, Any]  # Rasa's entity annotation: start, end, value, entity (+ role/group)


@dataclass(frozen=True)
class Example:
    text: str
    entities: tuple[Entity, ...] = field(default_factory=tuple)


def teencode_forms(abbreviations: Mapping[str, str]) -> dict[tuple[str, ...], str]:
    """Expansion (as folded words) → the first typed form listed for it ("khong" → "ko")."""
    forms: dict[tuple[str, ...], str] = {}
    for form, expansion in abbreviations.items():
        forms.setdefault(tuple(fold_diacritics(expansion).split()), form)
    return forms


def _inside_one_or_no_entity(start: int, end: int, entities: Iterable[Entity]) -> bool:
    """True when [start, end) does not straddle an entity boundary and is not inside an entity."""
    return all(end <= e["start"] or start >= e["end"] for e in entities)


def to_teencode(example: Example, forms: Mapping[tuple[str, ...], str]) -> Example:
    """Replace the longest known phrases outside entities by their teencode form, then fold and lower."""
    spans = list(word_spans(example.text))
    words = [fold_diacritics(unicodedata.normalize("NFC", example.text[s:e])).lower() for s, e in spans]
    longest = max((len(k) for k in forms), default=0)
    pieces: list[str] = []
    cursor = 0  # next character of the original text to copy
    shifts: list[tuple[int, int]] = []  # (original position, delta applied from there on)
    delta = 0
    i = 0
    while i < len(spans):
        for size in range(min(longest, len(spans) - i), 0, -1):
            phrase = tuple(words[i : i + size])
            start, end = spans[i][0], spans[i + size - 1][1]
            if phrase in forms and _inside_one_or_no_entity(start, end, example.entities):
                pieces.append(example.text[cursor:start] + forms[phrase])
                delta += len(forms[phrase]) - (end - start)
                shifts.append((end, delta))
                cursor = end
                i += size
                break
        else:
            i += 1
    pieces.append(example.text[cursor:])
    text = fold_diacritics("".join(pieces)).lower()

    def moved(position: int) -> int:
        applied = [d for at, d in shifts if at <= position]
        return position + (applied[-1] if applied else 0)

    entities = tuple({**e, "start": moved(e["start"]), "end": moved(e["end"])} for e in example.entities)
    return Example(text, _values_as_written(example, text, entities))


def _values_as_written(original: Example, text: str, entities: tuple[Entity, ...]) -> tuple[Entity, ...]:
    """An entity whose value was its own text (e.g. `ward`, "a place name as written") keeps that rule in
    the variant; explicit values (certificate `so_1`) stay as annotated."""
    out: list[Entity] = []
    for old, new in zip(original.entities, entities, strict=True):
        if old.get("value") == original.text[old["start"] : old["end"]]:
            new = {**new, "value": text[new["start"] : new["end"]]}
        out.append(new)
    return tuple(out)


def to_folded(example: Example) -> Example:
    """The example without diacritics; entity offsets are unchanged because folding keeps lengths."""
    text = fold_diacritics(unicodedata.normalize("NFC", example.text))
    if len(text) != len(example.text):  # decomposed input: offsets would move, keep the text only
        return Example(text)
    return Example(text, _values_as_written(example, text, example.entities))


def variants(example: Example, forms: Mapping[tuple[str, ...], str]) -> list[Example]:
    """The diacritic-free and the teencode copy of an example (those that differ from it)."""
    out: list[Example] = []
    seen = {example.text.casefold()}
    for variant in (to_folded(example), to_teencode(example, forms)):
        if variant.text.casefold() not in seen:
            seen.add(variant.text.casefold())
            out.append(variant)
    return out


def augment_directory(
    source: Path,
    target: Path,
    abbreviations_file: Path | None = None,
    *,
    seen_as: Callable[[str], str] | None = None,
) -> tuple[int, int]:
    """Read every NLU file under `source`, add the variants, write one YAML file. Returns (before, after).

    `seen_as(text)` is what the pipeline will see of a text (default: bot.vietnamese.normalise, i.e. the
    tokenizer's accented normalised form). A variant the pipeline sees exactly like an example already
    there adds nothing but training time, so it is dropped.
    """
    from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.message import Message

    data = load_data(str(source), language="vi")
    abbreviations = load_abbreviations(abbreviations_file) if abbreviations_file else load_abbreviations()
    forms = teencode_forms(abbreviations)
    view = seen_as or (lambda text: normalise(text, abbreviations))
    known = {view(m.get(TEXT)) for m in data.training_examples if m.get(TEXT)}
    added: list[Message] = []
    for message in data.training_examples:
        if not message.get(TEXT) or not message.get(INTENT):
            continue
        original = Example(message.get(TEXT), tuple(message.get(ENTITIES) or ()))
        for variant in variants(original, forms):
            if view(variant.text) in known:
                continue  # nothing new for the pipeline (or written by hand, perhaps for another intent)
            known.add(view(variant.text))
            fields: dict[str, Any] = {TEXT: variant.text, INTENT: message.get(INTENT)}
            if variant.entities:
                fields[ENTITIES] = [dict(e) for e in variant.entities]
            added.append(Message(data=fields))
    before = len(data.training_examples)
    data.training_examples.extend(added)
    target.parent.mkdir(parents=True, exist_ok=True)
    data.persist_nlu(str(target))
    return before, len(data.training_examples)


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        sys.exit("usage: python -m bot.augment <nlu directory> <output .yml>")
    before, after = augment_directory(Path(argv[0]), Path(argv[1]))
    print(f"{before} examples → {after} with diacritic-free and teencode variants: {argv[1]}")


if __name__ == "__main__":
    main(sys.argv[1:])
