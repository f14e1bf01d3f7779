"""What the Zoom client needs from the token provider and the rate limiter; how hard it tries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from service.adapters.zoom.token import ZoomToken


class TokenSource(Protocol):
    """What the client needs from `TokenProvider`."""

    async def get(self) -> ZoomToken: ...

    async def invalidate(self, bad_token: str) -> None: ...


class RateLimiter(Protocol):
    """What the client needs from `SlidingWindowLimiter`."""

    async def acquire(self, category: str) -> None: ...

    async def lower_limit(self, category: str, limit: int) -> None: ...

    async def pause_until(self, category: str, until: datetime) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one call tries before giving the failure to the caller (tests use tiny waits).

    A `Retry-After` longer than `max_retry_after_s` is not slept through in-process: the caller
    gets `ZoomRetryable` with `retry_after` set and can reschedule the work instead.
    """

    attempts: int = 5
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    max_retry_after_s: float = 60.0
