"""The `calendly_sync` job: a worker runs a queued job (`service/services/calendly_sync.py`)."""

from __future__ import annotations

import uuid

from service.services.calendly_sync import run_sync
from service.workers.runtime import WorkerRuntime


async def calendly_sync_job(runtime: WorkerRuntime, arguments: dict[str, object]) -> object:
    """`{"job_id": "<uuid>"}` names a queued `sync_jobs` row."""
    outcome = await run_sync(
        runtime.pool, runtime.settings, uuid.UUID(str(arguments["job_id"])), runtime.courier
    )
    return outcome.status if outcome else None
