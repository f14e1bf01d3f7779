"""Starting a Calendly sync job (CONTRACT §5): queue a job row and hand its id to a worker."""

from __future__ import annotations

import uuid

from service.adapters.sync_jobs import SyncRequest
from service.api.errors import ApiError
from service.api.runtime import ApiRuntime
from service.workers.calendly_sync import dispatch, request_sync


async def start(rt: ApiRuntime, request: SyncRequest, actor: str) -> uuid.UUID:
    job_id = await request_sync(rt.pool, request, actor)
    if not await dispatch(rt.pool, rt.courier, job_id):
        raise ApiError(503, "the sync could not be queued (Redis unavailable); try again")
    return job_id
