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

from service.adapters.job_runs import claim_slot, finish_slot
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


async def run_scheduler(runtime: WorkerRuntime, jobs: list[Job], stop: asyncio.Event) -> None:
    owner = f"{socket.gethostname()}:{os.getpid()}"
    log.info("scheduler started", jobs=[job.name for job in jobs], owner=owner)
    while not stop.is_set():
        now = datetime.now(UTC)
        for job in jobs:
            slot = job.slot(now)
            if not await claim_slot(runtime.pool, job.name, slot, owner):
                continue
            try:
                result = await job.run(runtime)
                outcome = f"ok: {result}" if result is not None else "ok"
            except Exception as error:
                log.exception("scheduled job failed", job=job.name)
                outcome = f"failed: {type(error).__name__}: {error}"
            await finish_slot(runtime.pool, job.name, slot, outcome)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=TICK_S)
