"""Score the engine on an evaluation file, in-process (shared/PRODUCT.md, "Evaluation file").

    python -m tools.eval --file tests/data/heldout.tsv --mode intent|answers [--model models/x.tar.gz]

intent:  each text is parsed by the trained NLU model; the intent maps to a topic with
         bot.topics.topic_of_intent (nlu_fallback → out_of_scope).
answers: topics of the first bot message when the model and the actions answer in-process
         (tools.eval_answers.LocalEngine: the actions' full answer path).
The last printed line is the JSON summary.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
from collections.abc import Callable
from pathlib import Path

from tools.eval_report import evaluate, read_cases, render

Predictor = Callable[[list[str]], list[str]]


class NluModel:
    """A trained model's NLU part, loaded once, parsing texts in-process."""

    def __init__(self, model_path: Path) -> None:
        os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
        from rasa.core.agent import Agent

        self._agent = Agent.load(str(model_path))
        self._loop = asyncio.new_event_loop()

    def parse(self, text: str) -> dict:
        return self._loop.run_until_complete(self._agent.parse_message(text))

    def intents(self, texts: list[str]) -> list[str]:
        return [(self.parse(t).get("intent") or {}).get("name") or "nlu_fallback" for t in texts]


def intent_predictor(model_path: Path) -> Predictor:
    from bot.topics import topic_of_intent

    model = NluModel(model_path)

    def predict(texts: list[str]) -> list[str]:
        # A context intent (followup, ...) has no topic of its own: scored as that intent, i.e. wrong.
        return [topic_of_intent(i) or i for i in model.intents(texts)]

    return predict


def answers_predictor(model_path: Path) -> Predictor:
    from tools.eval_answers import LocalEngine, first_topic

    engine = LocalEngine(model_path)
    senders = itertools.count()

    def predict(texts: list[str]) -> list[str]:
        # A fresh sender per text: each is scored as the first message of a conversation.
        return [first_topic(engine.send(f"eval-{next(senders)}", text)) for text in texts]

    return predict


def _model_or_exit(model: Path | None) -> Path:
    if model is not None:
        return model
    from tools.train import current_model_path

    current = current_model_path()
    if current is None:
        sys.exit("No model for the current inputs: run `make model` first.")
    return current


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, required=True, help="TSV: text<TAB>topics")
    parser.add_argument("--mode", choices=("intent", "answers"), default="intent")
    parser.add_argument("--model", type=Path, help="model archive (default: the current one)")
    parser.add_argument("--quiet", action="store_true", help="do not list the misclassified texts")
    args = parser.parse_args(argv)
    cases = read_cases(args.file)
    model = _model_or_exit(args.model)
    predict = intent_predictor(model) if args.mode == "intent" else answers_predictor(model)
    print(render(evaluate(cases, predict), show_errors=not args.quiet))


if __name__ == "__main__":
    main()
