"""How a failure is treated: retried, deferred, or given to ops
(docs/architecture.md: "Failures are classified").

Retryable failures come back with exponential back-off and jitter until attempts run
out; deferred ones wait for a known time (Zoom's daily limit resets at 00:00 UTC);
terminal ones go straight to the dead-letter table with their cause.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

MAX_ATTEMPTS = 8
BASE_DELAY_S = 2.0
MAX_DELAY_S = 600.0


class Terminal(Exception):
    """Retrying cannot help (invalid data, a 4xx from a vendor): ops must look."""


class Deferred(Exception):
    """Not now, but surely later: run again at `until`."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__(reason)
        self.until = until


def backoff(attempt: int) -> timedelta:
    """Full-jitter exponential back-off: spreads retries so they don't stampede."""
    ceiling = min(MAX_DELAY_S, BASE_DELAY_S * 2 ** max(0, attempt - 1))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def describe(error: BaseException) -> tuple[str, str]:
    """(class, message) for the attempt log and dead letters."""
    return type(error).__name__, str(error)[:2000] or type(error).__name__
