"""One per-second rate limiter for Zoom, shared by every worker process on every machine.

Zoom counts requests per account and category (light/medium/heavy). Each category is a Redis
sorted set of send times; a Lua script hands every caller the earliest time at which it may send
such that no sliding window ever holds more than `limit` sends — unlike a fixed-window counter,
which allows twice the limit across a window edge. The caller's time is reserved in the set at
once, so callers are served first come, first served (no herd of sleepers racing for each freed
slot, none starved) and each waits exactly until its slot. All times come from Redis `TIME`, so
machines with skewed clocks still agree.

Keys (per category): `{prefix}zoom:rl:{category}:window` (sorted set of reserved send times,
score = µs), `…:limit` (a lower limit learnt from a 429, with a TTL) and `…:pause` (µs until which
nobody may send, from a `Retry-After`).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

from redis.asyncio import Redis

WINDOW_MS = 1000

# Reserve the earliest send time that is not in a pause, not before the last reservation (FIFO),
# at least one window after the `limit`-th latest reservation and, for a caller that has to wait,
# window / limit after the last reservation (paced, not bursts). Returns µs to wait.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[1])
local lowered = redis.call('GET', KEYS[2])
if lowered then
  limit = math.min(limit, tonumber(lowered))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local send_at = math.max(now, tonumber(redis.call('GET', KEYS[3]) or '0'))
local count = redis.call('ZCARD', KEYS[1])
local last = nil
if count > 0 then
  last = tonumber(redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2])
  send_at = math.max(send_at, last)
end
if count >= limit then
  local blocking = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  send_at = math.max(send_at, tonumber(blocking[2]) + window)
end
if last and send_at > now then
  send_at = math.max(send_at, last + math.floor(window / limit))
end
redis.call('ZADD', KEYS[1], send_at, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil((send_at - now + window) / 1000) + 1000)
return send_at - now
"""

# After waiting for a reservation: a pause that began meanwhile voids it (the caller reserves anew).
# Otherwise the reservation moves to now, when the caller really sends: a caller that woke late
# must not let the reservations made after it count from a time it did not send at.
_CONFIRM = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
if tonumber(redis.call('GET', KEYS[2]) or '0') > now then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
if redis.call('ZADD', KEYS[1], 'XX', 'GT', 'CH', now, ARGV[1]) == 1 then
  local ttl = math.ceil(tonumber(ARGV[2]) / 1000) + 1000
  if redis.call('PTTL', KEYS[1]) < ttl then  -- PEXPIRE's GT needs Redis 7; 6.2 is supported
    redis.call('PEXPIRE', KEYS[1], ttl)
  end
end
return 1
"""

# Keep the lowest limit Zoom told us about; re-reporting it extends its life.
_LOWER_LIMIT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
if current == 0 or limit <= current then
  redis.call('SET', KEYS[1], limit, 'PX', ARGV[2])
end
"""

# Extend (never shorten) a pause; it expires by itself shortly after it ends.
_PAUSE_UNTIL = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local until_us = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_us > now and until_us > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', math.ceil((until_us - now) / 1000) + 1000)
end
"""


class SlidingWindowLimiter:
    """Per-category limits (requests per second) enforced across all processes via Redis.

    `margin_ms` (ZOOM_RATE_MARGIN_MS) widens the window: the grant is decided in Redis, the
    request reaches Zoom later, and what matters is not that latency but its jitter — two
    requests `limit` grants apart must still arrive a full second apart. The margin caps any
    client at 1 / (1 + margin) of the limit, so it is kept small by making arrivals regular:
    a caller that has to wait anyway is paced `window / limit` after the one before it, so a
    queue drains evenly instead of in bursts of `limit` that pile up at Zoom and arrive
    jittered; an idle budget still lets a burst through at once. And a caller that woke late
    from its wait (a busy event loop or CPU) is recorded at when it really sends, so the late
    wake-up is not jitter the margin has to cover (docs/benchmarks.md).
    """

    def __init__(
        self,
        redis: Redis,
        key_prefix: str,
        limits: dict[str, int],
        *,
        margin_ms: int = 50,
        lowered_limit_ttl_s: float = 3600,
    ):
        self._redis = redis
        self._prefix = key_prefix
        self._limits = dict(limits)
        self._window_us = (WINDOW_MS + margin_ms) * 1000
        self._lowered_ttl_ms = int(lowered_limit_ttl_s * 1000)
        self._reserve = redis.register_script(_RESERVE)
        self._confirm = redis.register_script(_CONFIRM)
        self._lower = redis.register_script(_LOWER_LIMIT)
        self._pause = redis.register_script(_PAUSE_UNTIL)

    async def acquire(self, category: str) -> None:
        """Wait until a request in `category` may be sent; the slot is then ours.

        A reservation that a `pause_until` overtook while we waited is given up and renewed.
        """
        configured = self._configured(category)
        window_key, pause_key = self._key(category, "window"), self._key(category, "pause")
        keys = [window_key, self._key(category, "limit"), pause_key]
        while True:
            member = uuid.uuid4().hex
            args: list[int | str] = [configured, self._window_us, member]
            wait_us = int(await self._reserve(keys=keys, args=args))
            if wait_us <= 0:
                return
            await asyncio.sleep(wait_us / 1_000_000)
            confirm_args: list[int | str] = [member, self._window_us]
            if await self._confirm(keys=[window_key, pause_key], args=confirm_args):
                return

    async def lower_limit(self, category: str, limit: int) -> None:
        """Follow a lower per-second limit that Zoom reported (`X-RateLimit-Limit` on a 429).

        Stored in Redis for `lowered_limit_ttl_s` so every worker follows it (times reserved before
        keep their place); a limit that is not below the configured one changes nothing (a daily
        figure in the header must never raise the per-second limit).
        """
        if limit >= self._configured(category):
            return
        args = [max(1, limit), self._lowered_ttl_ms]
        await self._lower(keys=[self._key(category, "limit")], args=args)

    async def pause_until(self, category: str, until: datetime) -> None:
        """Hold every worker's requests in `category` until `until` (from a `Retry-After`)."""
        self._configured(category)
        until_us = int(until.timestamp() * 1_000_000)
        await self._pause(keys=[self._key(category, "pause")], args=[until_us])

    async def effective_limit(self, category: str) -> int:
        """The limit currently enforced: the configured one or a lower one learnt from Zoom."""
        configured = self._configured(category)
        lowered = await self._redis.get(self._key(category, "limit"))
        return min(configured, int(lowered)) if lowered is not None else configured

    def _configured(self, category: str) -> int:
        try:
            return self._limits[category]
        except KeyError:
            known = ", ".join(sorted(self._limits))
            raise ValueError(f"unknown Zoom rate category {category!r}; known: {known}") from None

    def _key(self, category: str, kind: str) -> str:
        return f"{self._prefix}zoom:rl:{category}:{kind}"
