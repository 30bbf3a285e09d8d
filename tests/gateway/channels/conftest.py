"""Fixtures for the channel adapter tests: local fake platforms and a sleep that only records."""
from __future__ import annotations

import pytest


class RecordedSleep:
    """Stands in for asyncio.sleep in retry tests: remembers each wait instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def recorded_sleep() -> RecordedSleep:
    return RecordedSleep()




