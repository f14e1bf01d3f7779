"""One failure policy for inbox and outbox items: retry at a time, or bury
(docs/architecture.md: "Failures are classified").

Transient failures come back with exponential back-off and jitter (or after the wait the
vendor asked for) until attempts run out; deferred ones wait for a known time (Zoom's daily
limit resets at 00:00 UTC) and spend no attempt; terminal ones go straight to a dead letter.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

MAX_ATTEMPTS = 8
BASE_DELAY_S = 2.0
MAX_DELAY_S = 600.0

Spread = Callable[[float, float], float]  # picks a number in [low, high]


class Terminal(Exception):
    """Retrying cannot help (invalid data, a 4xx from a vendor): ops must look."""


class Deferred(Exception):
    """Not now, but surely later: run again at `until`."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__(reason)
        self.until = until


class FailureKind(StrEnum):
    TRANSIENT = "transient"
    DEFERRED = "deferred"
    TERMINAL = "terminal"


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    error_class: str
    message: str
    until: datetime | None = None  # DEFERRED: when to run again
    retry_after: timedelta | None = None  # TRANSIENT: the wait the vendor asked for

    def __post_init__(self) -> None:
        if (self.kind is FailureKind.DEFERRED) != (self.until is not None):
            raise ValueError("a deferred failure, and only one, says until when")

    @property
    def spends_attempt(self) -> bool:
        return self.kind is not FailureKind.DEFERRED

    @property
    def summary(self) -> str:
        """The row's `last_error`."""
        if self.kind is FailureKind.DEFERRED:
            return f"deferred: {self.message}"
        return f"{self.error_class}: {self.message}"


@dataclass(frozen=True)
class RetryAt:
    at: datetime


@dataclass(frozen=True)
class Bury:
    """Give the item to ops: mark it dead and open a dead letter."""


Verdict = RetryAt | Bury


def decide(
    failure: Failure, attempts: int, now: datetime, spread: Spread = random.uniform
) -> Verdict:
    """What to do after `failure`; `attempts` counts this one if it spends an attempt."""
    if failure.kind is FailureKind.TERMINAL:
        return Bury()
    if failure.until is not None:
        return RetryAt(failure.until)
    if attempts >= MAX_ATTEMPTS:
        return Bury()
    wait = failure.retry_after if failure.retry_after is not None else backoff(attempts, spread)
    return RetryAt(now + wait)


def backoff(attempt: int, spread: Spread = random.uniform) -> timedelta:
    """Full-jitter exponential back-off: spreads retries so they don't stampede."""
    ceiling = min(MAX_DELAY_S, BASE_DELAY_S * 2 ** max(0, attempt - 1))
    return timedelta(seconds=spread(ceiling / 2, ceiling))


def describe(error: BaseException) -> tuple[str, str]:
    """(class, message) for the attempt log and dead letters."""
    return type(error).__name__, str(error)[:2000] or type(error).__name__
