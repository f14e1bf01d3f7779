"""Named background jobs (sync, reconcile …), run by a worker when asked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from service.logs import get_logger
from service.services import calendly_sync as calendly_sync_start
from service.workers import calendly_sync, reconcile
from service.workers.registry import Registry
from service.workers.runtime import WorkerRuntime

log = get_logger(__name__)

JobFunction = Callable[[WorkerRuntime, dict[str, object]], Awaitable[object]]


def job_registry() -> Registry[str, JobFunction]:
    jobs = Registry[str, JobFunction]("job")
    jobs.register(calendly_sync_start.JOB_NAME, calendly_sync.calendly_sync_job)
    jobs.register(reconcile.JOB_NAME, reconcile.reconcile_job)
    return jobs


async def run_named_job(runtime: WorkerRuntime, name: str, arguments: dict[str, object]) -> None:
    job = job_registry().find(name)
    if job is None:
        log.error("unknown job", job=name)
        return
    await job(runtime, arguments)
