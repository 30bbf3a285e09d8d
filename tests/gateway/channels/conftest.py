"""Fixtures for the channel adapter tests: local fake platforms and a sleep that only records."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.gateway.fakes.messenger_server import FakeMessenger
from tests.gateway.fakes.telegram_server import FakeTelegram
from tests.gateway.fakes.zalo_bot_server import FakeZaloBot
from tests.gateway.fakes.zalo_oa_server import FakeZaloOA


class RecordedSleep:
    """Stands in for asyncio.sleep in retry tests: remembers each wait instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def recorded_sleep() -> RecordedSleep:
    return RecordedSleep()


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def fake_zalo_bot() -> Iterator[FakeZaloBot]:
    with FakeZaloBot() as fake:
        yield fake


@pytest.fixture
def fake_zalo_oa() -> Iterator[FakeZaloOA]:
    with FakeZaloOA() as fake:
        yield fake


@pytest.fixture
def fake_messenger() -> Iterator[FakeMessenger]:
    with FakeMessenger() as fake:
        yield fake
