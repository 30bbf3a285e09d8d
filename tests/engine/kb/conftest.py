"""Shared fixtures for the knowledge-base tests."""
from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = FIXTURES.parents[3]


@pytest.fixture(autouse=True)
def _from_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Failure lines name files relative to the working directory, as `make kb-check` prints them.
    monkeypatch.chdir(ROOT)


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
