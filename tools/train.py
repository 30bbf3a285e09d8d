"""Train the engine's model only when its inputs changed.

    python -m tools.train [--domain domain.yml] [--force]

The model is named after a hash of its inputs (config.yml, domain.yml, nlu_data/**, bot/**), so
`models/<hash>.tar.gz` existing means the model is current. Training: augment the NLU examples into
build/ (bot.augment), run `rasa train` (NLU + core) offline, keep only the newest model.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
BUILD = ROOT / "build" / "train"
CONFIG = ROOT / "config.yml"
DOMAIN = ROOT / "domain.yml"
NLU_DATA = ROOT / "nlu_data"
BOT = ROOT / "bot"


class TrainingError(RuntimeError):
    """Raised when the model cannot be trained (missing input, rasa train failed)."""


def _input_files(domain: Path) -> Iterable[Path]:
    yield CONFIG
    yield domain
    for folder in (NLU_DATA, BOT):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                yield path


def inputs_hash(domain: Path = DOMAIN) -> str:
    """A short hash of everything that shapes the model (paths and contents)."""
    digest = hashlib.sha256()
    for path in _input_files(domain):
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        digest.update(str(name).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path_for(domain: Path = DOMAIN) -> Path:
    return MODELS / f"{inputs_hash(domain)}.tar.gz"


def current_model_path() -> Path | None:
    """The trained model for the current inputs, or None when `make model` must (re)train."""
    path = model_path_for()
    return path if path.exists() else None


def _engine_env() -> dict[str, str]:
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["HF_HUB_OFFLINE"] = "1"  # underthesea's bundled models only; nothing is downloaded
    # No Rasa training cache: it keys a component on its config and the training data, not on the files
    # it reads (bot/data/abbreviations.yml), so after an edit there it reused the old tokenizer's work.
    # This command trains only when an input changed anyway.
    env["RASA_MAX_CACHE_SIZE"] = "0"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _pipeline_view() -> Callable[[str], str]:
    """What the configured pipeline sees of a text, so that augmentation adds only what it can tell apart:
    the folded lemma alone, or the accented form too when a TokenFieldFeaturizer reads it."""
    from bot.vietnamese import feature_form, normalise

    return normalise if "token_field: accented" in CONFIG.read_text(encoding="utf-8") else feature_form


def train(domain: Path = DOMAIN, *, force: bool = False) -> Path:
    """Train (if needed) and return the model for the current inputs."""
    for required in (CONFIG, domain):
        if not required.exists():
            raise TrainingError(f"{required} is missing; it is a model input")
    target = model_path_for(domain)
    if target.exists() and not force:
        print(f"Model is up to date: {target.relative_to(ROOT)}")
        return target

    from bot.augment import augment_directory  # Rasa import: only when training

    workdir = BUILD / target.name.removesuffix(".tar.gz")
    shutil.rmtree(workdir, ignore_errors=True)
    before, after = augment_directory(NLU_DATA / "nlu", workdir / "nlu.yml", seen_as=_pipeline_view())
    print(f"NLU examples: {before} written, {after} with generated variants ({workdir.relative_to(ROOT)}/nlu.yml)")
    data = [str(workdir / "nlu.yml")] + [
        str(NLU_DATA / kind) for kind in ("rules", "stories") if any((NLU_DATA / kind).glob("*.yml"))
    ]
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(CONFIG), "--domain", str(domain), "--data", *data,
        "--out", str(workdir), "--fixed-model-name", target.name.removesuffix(".tar.gz"),
    ]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=_engine_env())
    seconds = time.monotonic() - started
    built = workdir / target.name
    if result.returncode != 0 or not built.exists():
        raise TrainingError(f"rasa train failed (exit {result.returncode}) after {seconds:.0f} s")
    MODELS.mkdir(exist_ok=True)
    shutil.move(str(built), target)
    for old in MODELS.glob("*.tar.gz"):
        if old != target:
            old.unlink()
    for stale in BUILD.iterdir():  # working folders of earlier or interrupted runs
        if stale != workdir:
            shutil.rmtree(stale, ignore_errors=True)
    print(f"Trained {target.relative_to(ROOT)} in {seconds:.0f} s wall time (rasa train)")
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--domain", type=Path, default=DOMAIN, help="domain file (default: domain.yml)")
    parser.add_argument("--force", action="store_true", help="train even if the model is up to date")
    args = parser.parse_args(argv)
    try:
        train(args.domain.resolve(), force=args.force)
    except TrainingError as error:
        sys.exit(f"make model: {error}")


if __name__ == "__main__":
    main()
