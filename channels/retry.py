"""Bounded retries with backoff for platform calls: honour the platform's retry_after, back off on 5xx.

Only throttling (429), server errors (5xx) and network errors are retried; a 4xx means the request
itself is wrong (blocked bot, bad chat id) and retrying would not help.
"""
from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[None]]

DEFAULT_ATTEMPTS = 4
DEFAULT_BASE_DELAY = 0.5
DEFAULT_MAX_DELAY = 8.0
# A platform asking us to wait longer than this is treated as a failure: the message is marked failed
# and an officer sees the error, rather than one webhook task sleeping for minutes.
DEFAULT_MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    attempts: int = DEFAULT_ATTEMPTS
    base_delay: float = DEFAULT_BASE_DELAY
    max_delay: float = DEFAULT_MAX_DELAY
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER

    def backoff(self, attempt: int) -> float:
        """Delay before retry number `attempt` (0-based): exponential with a little jitter."""
        delay = min(self.max_delay, self.base_delay * (2.0**attempt))
        return delay * (1 + random.uniform(0, 0.1))


DEFAULT_RETRY = RetryPolicy()


def seconds(value: int | float | timedelta | None) -> float | None:
    """retry_after as seconds, whether the platform/SDK gave a number or a timedelta."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


class RetryableError(Exception):
    """Raised inside an attempt when the call may succeed if repeated; carries the platform's wait."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class RetriesExhaustedError(Exception):
    """Raised when every attempt failed, or the platform asked for a wait longer than we accept."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RejectedError(Exception):
    """Raised when a platform refuses a message for a reason retrying will not fix."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def call_with_retries(
    attempt: Callable[[], Awaitable[T]], *, policy: RetryPolicy, sleep: Sleep = asyncio.sleep
) -> T:
    """Run `attempt` until it returns; it raises RetryableError for transient failures."""
    last_reason = "no attempt made"
    for number in range(policy.attempts):
        try:
            return await attempt()
        except RetryableError as failure:
            last_reason = failure.reason
            if number == policy.attempts - 1:
                break
            if failure.retry_after is not None:
                if failure.retry_after > policy.max_retry_after:
                    raise RetriesExhaustedError(f"{failure.reason} (retry after {failure.retry_after:g}s)") from failure
                await sleep(failure.retry_after)
            else:
                await sleep(policy.backoff(number))
    raise RetriesExhaustedError(f"{last_reason} (after {policy.attempts} attempts)")
