"""Zoom's rate limits: per-second (sliding 1 s window per account and category) and daily.

Per-second limits are enforced over any sliding one-second window, the strictest reading of
Zoom's QPS limits: a client that is correct here is correct against Zoom. Only requests that
were let through count; a rejected request does not use up quota.
Daily limits count per key (host user, registrant, …) and reset at 00:00 UTC.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from service.sandbox.zoom_time import utc_day

WINDOW_SECONDS = 1.0


@dataclass
class SlidingWindowLimiter:
    """Admits at most ``limit`` requests per category in any window of one second."""

    _admitted: dict[str, deque[float]] = field(default_factory=dict)

    def try_admit(self, category: str, limit: int, now: float) -> bool:
        admitted = self._admitted.setdefault(category, deque())
        while admitted and admitted[0] <= now - WINDOW_SECONDS:
            admitted.popleft()
        if len(admitted) >= limit:
            return False
        admitted.append(now)
        return True


@dataclass
class DailyCounter:
    """Counts uses per key within the current UTC day."""

    _counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def try_use(self, key: str, limit: int, now: float) -> bool:
        """Count one use of ``key`` unless that would exceed ``limit`` today."""
        slot = (utc_day(now), key)
        used = self._counts.get(slot, 0)
        if used >= limit:
            return False
        self._counts[slot] = used + 1
        return True
