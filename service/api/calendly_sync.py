"""Starting and watching Calendly syncs: POST /calendly/sync, GET …/sync/{job_id}, …/sync/last.

The API only queues a job row and hands its id to a worker; the sync itself can take minutes
(Calendly's rate limit) and must not hold a request open.
"""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.adapters import sync_jobs
from service.adapters.sync_jobs import SyncRequest
from service.api.models.requests import ByJobId, SyncBody
from service.api.models.resources import LastSync, SyncJob, SyncStarted
from service.api.operation import WEBINARS, Operation, ok
from service.domain.sync_jobs import SyncMode
from service.http import input
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.http.serialize import jsonable
from service.http.validation import parse
from service.services import calendly_sync

START_SYNC = Operation(
    "Start a Calendly sync job (recent = last 30 days and later)",
    WEBINARS,
    ok(SyncStarted, "Queued", 202),
    errors=(400, 413, 422, 503),
    body=SyncBody,
)


async def start_sync(request: Request) -> JSONResponse:
    """`{"mode": "recent"|"since"|"full", "since": ISO?}`; an empty body means `recent`."""
    wanted = parse(SyncBody, await input.json_body(request) if await request.body() else {})
    job_id = await calendly_sync.start(
        runtime(request), SyncRequest(SyncMode(wanted.mode), wanted.since), input.actor(request)
    )
    return JSONResponse(
        {"job_id": str(job_id), "status": "queued"},
        status_code=202,
        headers={"Location": f"/api/v1/calendly/sync/{job_id}"},
    )


GET_SYNC = Operation(
    "A sync job's status and counts", WEBINARS, ok(SyncJob, "The job"), errors=(404,), path=ByJobId
)


async def get_sync(request: Request) -> JSONResponse:
    raw = request.path_params["job_id"]
    try:
        job_id = uuid.UUID(raw)
    except ValueError:
        raise ApiError(404, f"no such sync job: {raw}") from None
    async with runtime(request).pool.acquire() as conn:
        job = await sync_jobs.load_job(conn, job_id)
    if job is None:
        raise ApiError(404, f"no such sync job: {raw}")
    job["id"] = str(job["id"])
    return JSONResponse(jsonable(job))


LAST_SYNC = Operation("When the last successful sync finished", WEBINARS, ok(LastSync, "Last sync"))


async def last_sync(request: Request) -> JSONResponse:
    """`{"last_sync_time": ISO | null}`: when the last successful sync finished."""
    async with runtime(request).pool.acquire() as conn:
        last = await sync_jobs.last_sync(conn)
    return JSONResponse(
        {
            "last_sync_time": last["at"] if last else None,
            "job_id": last["job_id"] if last else None,
        }
    )
