"""The shared Zoom rate limiter against a real Redis: many tasks and processes, one budget."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from service.adapters.zoom import SlidingWindowLimiter
from tests.support import Servers, eventually

LIMITS = {"light": 30, "medium": 20, "heavy": 10}


def max_in_any_window(timestamps: list[float], window_s: float = 1.0) -> int:
    """The most grants inside any closed interval of `window_s` seconds."""
    ordered = sorted(timestamps)
    most, start = 0, 0
    for end, stamp in enumerate(ordered):
        while stamp - ordered[start] > window_s:
            start += 1
        most = max(most, end - start + 1)
    return most


async def hammer(
    limiter: SlidingWindowLimiter, category: str, tasks: int, seconds: float
) -> list[float]:
    """`tasks` coroutines acquiring as fast as they can; returns the local time of each grant."""
    grants: list[float] = []
    stop_at = time.time() + seconds

    async def worker() -> None:
        while time.time() < stop_at:
            await limiter.acquire(category)
            grants.append(time.time())

    await asyncio.gather(*(worker() for _ in range(tasks)))
    return [stamp for stamp in grants if stamp <= stop_at]


@dataclass(frozen=True)
class ProcessLoad:
    redis_url: str
    key_prefix: str
    category: str
    tasks: int
    start_at: float
    seconds: float


def hammer_in_process(load: ProcessLoad) -> list[float]:
    """Run in a separate OS process: its own event loop, connection and limiter instance."""

    async def run() -> list[float]:
        client: Redis = Redis.from_url(load.redis_url)
        limiter = SlidingWindowLimiter(client, load.key_prefix, LIMITS)
        # Not a wait for a state: every process starts hammering at one agreed moment.
        await asyncio.sleep(max(0.0, load.start_at - time.time()))
        try:
            return await hammer(limiter, load.category, load.tasks, load.seconds)
        finally:
            await client.aclose()

    return asyncio.run(run())


async def test_concurrent_tasks_never_exceed_the_limit_in_any_sliding_second(
    redis: Redis, prefix: str
) -> None:
    limiter = SlidingWindowLimiter(redis, prefix, LIMITS)

    grants = await hammer(limiter, "medium", tasks=50, seconds=3.0)

    assert max_in_any_window(grants) <= 20
    assert len(grants) >= 0.85 * 20 * 3, "the limiter should use nearly all of its budget"


async def test_callers_that_must_wait_are_paced_evenly_not_let_through_in_bursts(
    redis: Redis, prefix: str
) -> None:
    limiter = SlidingWindowLimiter(redis, prefix, LIMITS)

    grants = await hammer(limiter, "heavy", tasks=20, seconds=2.5)

    first_second = [stamp for stamp in grants if stamp < grants[0] + 0.5]
    queued = [stamp for stamp in grants if stamp >= grants[0] + 0.5]
    assert len(first_second) == 10, "an idle budget still lets a burst of `limit` through"
    assert len(queued) >= 10
    # Paced 0.1 s apart: about 3 in any 0.25 s (a burst would put all 10 of a second there).
    assert max_in_any_window(queued, window_s=0.25) <= 4
    assert max_in_any_window(grants) <= 10


async def test_processes_share_one_budget(redis: Redis, prefix: str, servers: Servers) -> None:
    start_at = time.time() + 1.5  # spawned interpreters need a moment to start
    seconds = 3.0
    loads = [ProcessLoad(servers.redis_url, prefix, "heavy", 5, start_at, seconds)] * 4
    with multiprocessing.get_context("spawn").Pool(len(loads)) as pool:
        per_process = await asyncio.to_thread(pool.map, hammer_in_process, loads)
    grants = [stamp for stamps in per_process for stamp in stamps]

    assert all(per_process), "every process should get some slots"
    assert max_in_any_window(grants) <= 10
    assert len(grants) >= 0.85 * 10 * seconds


async def test_categories_have_separate_budgets(redis: Redis, prefix: str) -> None:
    limiter = SlidingWindowLimiter(redis, prefix, LIMITS)

    heavy, light = await asyncio.gather(
        hammer(limiter, "heavy", tasks=10, seconds=1.5),
        hammer(limiter, "light", tasks=10, seconds=1.5),
    )

    assert max_in_any_window(heavy) <= 10
    assert max_in_any_window(light) <= 30
    assert len(light) > 30, "light must not be slowed down by heavy"


async def test_a_lower_limit_from_zoom_is_followed_by_every_worker(
    redis: Redis, prefix: str
) -> None:
    this_worker = SlidingWindowLimiter(redis, prefix, LIMITS)
    other_worker = SlidingWindowLimiter(redis, prefix, LIMITS)

    await this_worker.lower_limit("light", 5)
    await this_worker.lower_limit("light", 6000)  # a daily figure in the header raises nothing
    grants = await hammer(other_worker, "light", tasks=10, seconds=2.0)

    assert await other_worker.effective_limit("light") == 5
    assert max_in_any_window(grants) <= 5
    assert len(grants) >= 0.85 * 5 * 2
    ttl_ms = await redis.pttl(f"{prefix}zoom:rl:light:limit")
    assert 0 < ttl_ms <= 3600 * 1000, "a learnt limit expires so a plan upgrade is picked up"


async def test_a_pause_holds_every_worker(redis: Redis, prefix: str) -> None:
    this_worker = SlidingWindowLimiter(redis, prefix, LIMITS)
    other_worker = SlidingWindowLimiter(redis, prefix, LIMITS)
    await this_worker.pause_until("medium", datetime.now(UTC) + timedelta(seconds=0.6))
    await this_worker.pause_until(
        "medium", datetime.now(UTC) + timedelta(seconds=0.1)
    )  # no shortening

    started = time.monotonic()
    await other_worker.acquire("medium")
    waited = time.monotonic() - started
    await other_worker.acquire("light")
    light_wait = time.monotonic() - started - waited

    assert 0.5 <= waited < 1.0
    assert light_wait < 0.1, "a pause holds only its own category"


async def test_unknown_category_is_a_programming_error(redis: Redis, prefix: str) -> None:
    limiter = SlidingWindowLimiter(redis, prefix, LIMITS)

    with pytest.raises(ValueError, match="unknown Zoom rate category 'resource'"):
        await limiter.acquire("resource")


async def test_a_pause_also_holds_callers_already_waiting_in_line(
    redis: Redis, prefix: str
) -> None:
    limiter = SlidingWindowLimiter(redis, prefix, LIMITS)
    started = time.time()
    grants: list[float] = []

    async def one_call() -> None:
        await limiter.acquire("heavy")
        grants.append(time.time() - started)

    async def all_in_line() -> bool:
        return bool(await redis.zcard(f"{prefix}zoom:rl:heavy:window") == 20)

    callers = [asyncio.create_task(one_call()) for _ in range(20)]  # 10 now, 10 reserved for +1 s
    await eventually(all_in_line, within=5, interval=0.01)
    await limiter.pause_until("heavy", datetime.fromtimestamp(started + 1.7, UTC))
    await asyncio.gather(*callers)

    assert sum(1 for stamp in grants if stamp < 0.2) == 10
    assert all(stamp >= 1.65 for stamp in grants if stamp >= 0.2), grants


async def test_a_caller_that_wakes_late_is_counted_from_when_it_really_sends(
    redis: Redis, prefix: str
) -> None:
    limiter = SlidingWindowLimiter(redis, prefix, LIMITS)
    window = f"{prefix}zoom:rl:heavy:window"
    for _ in range(10):
        await limiter.acquire("heavy")
    seconds, micros = await redis.time()
    planned_by = seconds + micros / 1e6 + 1.1  # a full window (1.05 s) from now, and a little

    async def reserved() -> bool:
        return bool(await redis.zcard(window) == 11)

    late = asyncio.create_task(limiter.acquire("heavy"))
    await eventually(reserved, within=5, interval=0.01)
    time.sleep(1.4)  # not a wait for a state: the event loop stalls past the caller's slot
    await late

    [(_, sent_at)] = await redis.zrange(window, -1, -1, withscores=True)
    assert sent_at / 1e6 > planned_by + 0.2, "its slot is counted from its real send time"
