"""Two schedulers never run one job slot twice (CONTRACT §1: `scheduler` is safe to run twice)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from service.adapters.job_runs import claim_slot
from service.workers.runtime import WorkerRuntime
from service.workers.scheduler import Job


async def _nothing(_runtime: WorkerRuntime) -> None:
    return None


async def test_only_one_of_many_schedulers_claims_a_slot(pool: asyncpg.Pool) -> None:
    job = Job(f"test-{uuid.uuid4().hex}", timedelta(minutes=5), _nothing)
    slot = job.slot(datetime.now(UTC))
    claims = await asyncio.gather(
        *(claim_slot(pool, job.name, slot, f"scheduler-{n}") for n in range(10))
    )
    assert claims.count(True) == 1
    next_slot = slot + job.every
    assert await claim_slot(pool, job.name, next_slot, "scheduler-0")


def test_slots_follow_the_period_and_offset() -> None:
    nightly = Job("nightly", timedelta(days=1), _nothing, offset=timedelta(hours=3))
    assert nightly.slot(datetime(2026, 11, 21, 2, 59, tzinfo=UTC)) == datetime(
        2026, 11, 20, 3, tzinfo=UTC
    )
    assert nightly.slot(datetime(2026, 11, 21, 3, 0, tzinfo=UTC)) == datetime(
        2026, 11, 21, 3, tzinfo=UTC
    )
