"""Run the test stories (tests/stories/*.yml: people's literal text) against the current model.

    python -m tools.test_stories [--model models/x.tar.gz]        (make test-stories)

`rasa test core` parses each user line with the model and checks every predicted intent and
action; results go to build/test_stories/. Exits non-zero if any story failed.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
STORIES = ROOT / "tests" / "stories"
OUT = ROOT / "build" / "test_stories"


def failed_stories(out: Path) -> list[str]:
    """Names of the stories rasa wrote to failed_test_stories.yml (empty when all passed)."""
    path = out / "failed_test_stories.yml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [str(story.get("story")) for story in data.get("stories") or []]


def main(argv: list[str] | None = None) -> int:
    from tools.train import current_model_path

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="default: the model of the current inputs")
    model = parser.parse_args(argv).model or current_model_path()
    if model is None:
        print("No model for the current inputs: run `make model` first.", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in OUT.glob("*"):
        if stale.is_file():
            stale.unlink()
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", HF_HUB_OFFLINE="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    rasa = str(Path(sys.executable).parent / "rasa")
    result = subprocess.run(
        [rasa, "test", "core", "--model", str(model), "--stories", str(STORIES), "--out", str(OUT), "--no-plot"],
        cwd=ROOT,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        print(f"rasa test core failed (exit {result.returncode})", file=sys.stderr)
        return result.returncode
    failed = failed_stories(OUT)
    if failed:
        print(f"{len(failed)} test stories failed (details: {OUT / 'failed_test_stories.yml'}):", file=sys.stderr)
        for name in failed:
            print(f"  - {name}", file=sys.stderr)
        return 1
    print(f"All test stories passed ({OUT}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
