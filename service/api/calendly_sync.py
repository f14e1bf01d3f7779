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
from service.http import input
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.http.serialize import jsonable
from service.services import calendly_sync

MODES = ("recent", "since", "full")


async def start_sync(request: Request) -> JSONResponse:
    """`{"mode": "recent"|"since"|"full", "since": ISO?}`; an empty body means `recent`."""
    problems = input.Problems()
    raw = await request.body()
    body = await input.json_object(request, frozenset({"mode", "since"}), problems) if raw else {}
    mode = body.get("mode", "recent")
    if mode not in MODES:
        problems.add("mode", "expected recent, since or full")
    since = None
    if mode == "since":
        if not isinstance(body.get("since"), str):
            problems.add("since", "required with mode since: an ISO-8601 date or date-time")
        else:
            parsed = input.instant(body["since"], "since", problems)
            since = parsed[0] if parsed else None
    elif body.get("since") is not None:
        problems.add("since", "only allowed with mode since")
    problems.raise_if_any()
    job_id = await calendly_sync.start(
        runtime(request), SyncRequest(mode, since), input.actor(request)
    )
    return JSONResponse(
        {"job_id": str(job_id), "status": "queued"},
        status_code=202,
        headers={"Location": f"/api/v1/calendly/sync/{job_id}"},
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
