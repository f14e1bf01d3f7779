"""Zoom drift: every registrant of a synced course against its bookings; repairs are queued.

Nightly for every course, and for one course whenever Zoom tells us something about its meeting
(the `reconcile_course` outbox command, `service/workers/reconcile/zoom.py`). The comparison
is `service/domain/reconcile.py`, the repair `service/services/zoom_drift.py`.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from service.adapters import reconcile_runs
from service.adapters.courses import meeting_repo
from service.adapters.work_items import notify
from service.adapters.zoom import ZoomClient, ZoomDeferred, ZoomError, ZoomNotFound
from service.domain.reconcile import (
    Drift,
    DriftKind,
    ListedRegistrant,
    RunKind,
    by_email,
)
from service.domain.zoom_objects import RegistrantStatus
from service.services.course_decisions import course_subject
from service.services.reconcile_runs import ReconcileNotPossible, recorded
from service.services.resources import JobResources
from service.services.zoom_drift import repair_course

LISTED = (RegistrantStatus.APPROVED, RegistrantStatus.PENDING, RegistrantStatus.DENIED)


def _zoom(rt: JobResources) -> ZoomClient:
    if rt.zoom is None:
        raise ReconcileNotPossible(
            "Zoom credentials are not configured (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, "
            "ZOOM_CLIENT_SECRET), so Zoom cannot be compared"
        )
    return rt.zoom


async def reconcile_zoom(rt: JobResources) -> dict[str, Any]:
    """Every synced course with a live meeting, one after the other (Zoom's limiter paces it)."""

    async def work(run_id: int, drift: Drift) -> None:
        zoom = _zoom(rt)
        async with rt.pool.acquire() as conn:
            course_ids = await reconcile_runs.synced_course_ids(conn)
        for course_id in course_ids:
            cause = {"reconcile_run": str(run_id)}
            try:
                await reconcile_course(rt, zoom, course_id, drift, cause)
            except ZoomDeferred:
                raise  # a daily limit: the rest of the run would hit it too
            except ZoomError as error:  # one course's trouble must not hide the others' drift
                drift.add(DriftKind.COURSE_FAILED, course_id=course_id, error=str(error))
        drift.report.append({"kind": "summary", "courses_checked": len(course_ids)})

    return await recorded(rt.pool, RunKind.ZOOM, None, work)


async def _registrants(
    zoom: ZoomClient, meeting_id: int, cause: dict[str, str]
) -> dict[str, ListedRegistrant]:
    listed = {
        status: [
            ListedRegistrant(str(r["id"]), str(r.get("email", "")), status)
            for r in await zoom.list_registrants(meeting_id, status, cause=cause)
        ]
        for status in reversed(LISTED)
    }
    return by_email(listed)


async def reconcile_course(
    rt: JobResources,
    zoom: ZoomClient,
    course_id: str,
    drift: Drift,
    cause: dict[str, str],
) -> None:
    """Compare one course's registrants in Zoom with its bookings and queue the repairs."""
    async with rt.pool.acquire() as conn:
        meeting = await meeting_repo.load_meeting(conn, course_id)
    meeting_id = meeting.live_id if meeting is not None else None
    if meeting is None or meeting_id is None:
        return
    call_cause = {**cause, "course_id": course_id}
    try:
        in_zoom = await _registrants(zoom, meeting_id, call_cause)
    except ZoomNotFound:
        await _meeting_missing(rt.pool, course_id, meeting_id, drift)
        return
    outbox_ids = await repair_course(
        rt.pool, course_id, meeting_id, in_zoom, drift=drift, cause=call_cause
    )
    await rt.courier.send_outbox(outbox_ids)


async def _meeting_missing(
    pool: asyncpg.Pool, course_id: str, meeting_id: int, drift: Drift
) -> None:
    """Not recreated automatically: a meeting deleted in Zoom may have been deleted on purpose."""
    message = (
        f"Course {course_id}: Zoom meeting {meeting_id} no longer exists in Zoom; check whether "
        "it was deleted on purpose, then cancel the course or sync it again"
    )
    drift.add(
        DriftKind.MEETING_MISSING, course_id=course_id, meeting_id=meeting_id, message=message
    )
    async with pool.acquire() as conn:
        await notify(conn, "reconcile_drift", message, subject=course_subject(course_id))
