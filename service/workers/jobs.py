"""Named background jobs (sync, reconcile …), run by a worker when asked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from service.logs import get_logger
from service.services import calendly_sync as calendly_sync_start
from service.workers import calendly_sync, reconcile
from service.workers.runtime import WorkerRuntime

log = get_logger(__name__)

JobFunction = Callable[[WorkerRuntime, dict[str, object]], Awaitable[object]]


def job_table() -> dict[str, JobFunction]:
    return {
        calendly_sync_start.JOB_NAME: calendly_sync.calendly_sync_job,
        reconcile.JOB_NAME: reconcile.reconcile_job,
    }


async def run_named_job(runtime: WorkerRuntime, name: str, arguments: dict[str, object]) -> None:
    job = job_table().get(name)
    if job is None:
        log.error("unknown job", job=name)
        return
    await job(runtime, arguments)
