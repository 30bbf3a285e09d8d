"""The held-out set: never in the training data, and the trained model clears the bars on it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.vietnamese import fold_diacritics
from tools.eval_report import read_cases

ROOT = Path(__file__).resolve().parents[3]
HELDOUT = ROOT / "tests" / "data" / "heldout.tsv"
# A second set, written later by someone who saw neither the training data nor the first set.
HELDOUT_FRESH = ROOT / "tests" / "data" / "heldout_fresh.tsv"
NLU_DATA = ROOT / "nlu_data"

# The engine issue's bars: accuracy 0.95, stripped 0.93, out_of_scope recall 0.85, on both sets. The
# model reaches 0.968 / 0.966 / 0.962 on heldout.tsv and 0.985 / 0.985 / 1.0 on heldout_fresh.tsv
# (docs/nlu.md, "Held-out results").
FLOORS = {
    HELDOUT: (0.95, 0.93, 0.85),          # accuracy, accuracy without diacritics, out_of_scope recall
    HELDOUT_FRESH: (0.95, 0.93, 0.85),
}

_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\{[^}]*\}|\([^)]*\))")


def _key(text: str) -> str:
    """Case-, diacritic- and punctuation-insensitive form of a sentence."""
    return " ".join(re.findall(r"\w+", fold_diacritics(text).casefold()))


def _training_texts() -> set[str]:
    texts: set[str] = set()
    for path in NLU_DATA.rglob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- "):
                texts.add(_key(_ANNOTATION.sub(r"\1", stripped[2:])))
    return texts


@pytest.mark.parametrize("evaluation_set", [HELDOUT, HELDOUT_FRESH], ids=["heldout", "heldout_fresh"])
def test_no_heldout_line_is_in_the_training_data(evaluation_set: Path) -> None:
    training = _training_texts()
    assert len(training) > 100  # the training data was found and read
    leaked = [c.text for c in read_cases(evaluation_set) if _key(c.text) in training]
    assert not leaked, f"held-out lines found in nlu_data/ (the set is spent): {leaked}"


def test_leak_check_is_insensitive_to_case_diacritics_and_annotations() -> None:
    assert _key(_ANNOTATION.sub(r"\1", "Xin [phiếu số 1](certificate) ở ĐÂU?")) == _key("xin phieu so 1 o dau")
    assert _ANNOTATION.sub(r"\1", 'vay [học nghề]{"entity": "loan_purpose"} ko') == "vay học nghề ko"


@pytest.fixture(scope="module")
def predict():  # type: ignore[no-untyped-def]
    from tools.eval import intent_predictor
    from tools.train import current_model_path

    model = current_model_path()
    if model is None:
        pytest.fail("No trained model for the current inputs: run `make model` first.")
    return intent_predictor(model)


@pytest.mark.parametrize("evaluation_set", [HELDOUT, HELDOUT_FRESH], ids=["heldout", "heldout_fresh"])
def test_the_model_clears_its_floors(evaluation_set: Path, predict) -> None:  # type: ignore[no-untyped-def]
    from tools.eval_report import evaluate

    report = evaluate(read_cases(evaluation_set), predict)
    accuracy, stripped, oos_recall = FLOORS[evaluation_set]
    assert report.accuracy >= accuracy, report.summary()
    assert report.accuracy_stripped >= stripped, report.summary()
    assert report.oos_recall >= oos_recall, report.summary()
