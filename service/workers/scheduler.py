"""Periodic jobs, each slot run by exactly one scheduler process.

Before running a job a scheduler inserts (job, slot) into `job_runs`; the primary key
lets only one of several schedulers win, so running two of them is safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from service.logs import get_logger
from service.workers.runtime import WorkerRuntime

log = get_logger(__name__)

TICK_S = 1.0


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[WorkerRuntime], Awaitable[object]]
    offset: timedelta = timedelta(0)  # e.g. nightly at 02:00 UTC: every=1 day, offset=2 h

    def slot(self, now: datetime) -> datetime:
        """The start of the period `now` falls in; one run per slot."""
        epoch = datetime(2000, 1, 1, tzinfo=UTC) + self.offset
        periods = (now - epoch) // self.every
        return epoch + periods * self.every


async def claim_slot(pool: asyncpg.Pool, job: Job, slot: datetime, owner: str) -> bool:
    async with pool.acquire() as conn:
        claimed = await conn.fetchval(
            """
            INSERT INTO job_runs (job, slot, owner) VALUES ($1, $2, $3)
            ON CONFLICT DO NOTHING RETURNING true
            """,
            job.name,
            slot,
            owner,
        )
    return bool(claimed)


async def finish_slot(pool: asyncpg.Pool, job: Job, slot: datetime, outcome: str) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE job_runs SET finished_at = now(), outcome = $3 WHERE job = $1 AND slot = $2",
            job.name,
            slot,
            outcome[:2000],
        )


async def run_scheduler(runtime: WorkerRuntime, jobs: list[Job], stop: asyncio.Event) -> None:
    owner = f"{socket.gethostname()}:{os.getpid()}"
    log.info("scheduler started", jobs=[job.name for job in jobs], owner=owner)
    while not stop.is_set():
        now = datetime.now(UTC)
        for job in jobs:
            slot = job.slot(now)
            if not await claim_slot(runtime.pool, job, slot, owner):
                continue
            try:
                result = await job.run(runtime)
                outcome = f"ok: {result}" if result is not None else "ok"
            except Exception as error:
                log.exception("scheduled job failed", job=job.name)
                outcome = f"failed: {type(error).__name__}: {error}"
            await finish_slot(runtime.pool, job, slot, outcome)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=TICK_S)
