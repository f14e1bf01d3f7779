"""Starting a Calendly sync job (CONTRACT §5): queue a job row and hand its id to a worker.

The job itself runs in `service/workers/calendly_sync.py`.
"""

from __future__ import annotations

import uuid

import asyncpg

from service.adapters import sync_jobs
from service.adapters.broker import Courier
from service.adapters.sync_jobs import SyncRequest
from service.services.errors import Unavailable
from service.services.resources import Resources

JOB_NAME = "calendly_sync"


async def start(rt: Resources, request: SyncRequest, actor: str) -> uuid.UUID:
    job_id = await request_sync(rt.pool, request, actor)
    if not await dispatch(rt.pool, rt.courier, job_id):
        raise Unavailable("the sync could not be queued (Redis unavailable); try again")
    return job_id


async def request_sync(pool: asyncpg.Pool, request: SyncRequest, requested_by: str) -> uuid.UUID:
    """Queue a job row; the caller hands `{"job_id"}` to a worker or runs it (the CLI)."""
    async with pool.acquire() as conn:
        return await sync_jobs.create_job(conn, request, requested_by)


async def dispatch(pool: asyncpg.Pool, courier: Courier, job_id: uuid.UUID) -> bool:
    """Hand a queued job to a worker; if Redis cannot take it, fail the row rather than
    leave it `queued` forever (jobs are not relayed like inbox and outbox items)."""
    if await courier.send_job(JOB_NAME, {"job_id": str(job_id)}):
        return True
    async with pool.acquire() as conn:
        await sync_jobs.fail_job(
            conn, job_id, "the job could not be handed to a worker (Redis unavailable); try again"
        )
    return False
