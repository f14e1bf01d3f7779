"""Zoom drift: every registrant of a synced course against its bookings; repairs are queued.

Nightly for every course, and for one course whenever Zoom tells us something about its meeting
(the `reconcile_course` outbox command).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from service.adapters.courses import booking_repo, course_repo, meeting_repo, registrant_repo
from service.adapters.work_items import notify
from service.adapters.zoom import ZoomClient, ZoomDeferred, ZoomError, ZoomTerminal
from service.domain.registrants import RegistrantState
from service.domain.subjects import Subject, SubjectKind
from service.services.course_decisions import (
    booking_subject,
    course_subject,
    decide_course,
    registrant_goal,
)
from service.services.unit_of_work import UnitOfWork
from service.workers.outbox import CommandTable, OutboxCommand, OutboxItem
from service.workers.reconcile.runs import Drift, ReconcileNotPossible, recorded
from service.workers.runtime import WorkerRuntime

RECONCILE_COURSE = "reconcile_course"
ZOOM_STATUSES = ("approved", "pending", "denied")
ZOOM_MEETING_NOT_FOUND = 3001


def _zoom(runtime: WorkerRuntime) -> ZoomClient:
    if runtime.zoom is None:
        raise ReconcileNotPossible(
            "Zoom credentials are not configured (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, "
            "ZOOM_CLIENT_SECRET), so Zoom cannot be compared"
        )
    return runtime.zoom


async def reconcile_zoom(runtime: WorkerRuntime) -> dict[str, Any]:
    """Every synced course with a live meeting, one after the other (Zoom's limiter paces it)."""

    async def work(run_id: int, drift: Drift) -> None:
        zoom = _zoom(runtime)
        async with runtime.pool.acquire() as conn:
            course_ids = [
                r["course_id"]
                for r in await conn.fetch(
                    """
                    SELECT m.course_id FROM zoom_meetings m JOIN courses c ON c.id = m.course_id
                     WHERE c.zoom_synced AND m.meeting_id IS NOT NULL AND m.deleted_at IS NULL
                     ORDER BY m.course_id
                    """
                )
            ]
        for course_id in course_ids:
            cause = {"reconcile_run": str(run_id)}
            try:
                await reconcile_course(runtime, zoom, course_id, drift, cause)
            except ZoomDeferred:
                raise  # a daily limit: the rest of the run would hit it too
            except ZoomError as error:  # one course's trouble must not hide the others' drift
                drift.add("course_failed", course_id=course_id, error=str(error))
        drift.report.append({"kind": "summary", "courses_checked": len(course_ids)})

    return await recorded(runtime.pool, "zoom", None, work)


@dataclass(frozen=True)
class _InZoom:
    id: str
    email: str
    status: str  # approved | pending | denied


async def _registrants(
    zoom: ZoomClient, meeting_id: int, cause: dict[str, str]
) -> dict[str, _InZoom]:
    """By case-folded email; an approved registrant wins over a pending or denied one."""
    found: dict[str, _InZoom] = {}
    for status in reversed(ZOOM_STATUSES):  # denied, pending, then approved overwrites
        for registrant in await zoom.list_registrants(meeting_id, status, cause=cause):
            email = str(registrant.get("email", ""))
            found[email.casefold()] = _InZoom(str(registrant["id"]), email, status)
    return found


async def reconcile_course(
    runtime: WorkerRuntime,
    zoom: ZoomClient,
    course_id: str,
    drift: Drift,
    cause: dict[str, str],
) -> None:
    """Compare one course's registrants in Zoom with its bookings and queue the repairs."""
    async with runtime.pool.acquire() as conn:
        meeting = await meeting_repo.load_meeting(conn, course_id)
    meeting_id = meeting.live_id if meeting is not None else None
    if meeting is None or meeting_id is None:
        return
    call_cause = {**cause, "course_id": course_id}
    try:
        in_zoom = await _registrants(zoom, meeting_id, call_cause)
    except ZoomTerminal as error:
        if error.code != ZOOM_MEETING_NOT_FOUND and error.status != 404:
            raise
        await _meeting_missing(runtime.pool, course_id, meeting_id, drift)
        return
    async with runtime.pool.acquire() as conn:
        unit = UnitOfWork(conn)
        async with conn.transaction():
            await unit.lock(course_subject(course_id))
            await _compare(unit, course_id, meeting_id, in_zoom, drift)
            await decide_course(unit, course_id, call_cause)
    await runtime.courier.send_outbox(unit.outbox_ids)


async def _meeting_missing(
    pool: asyncpg.Pool, course_id: str, meeting_id: int, drift: Drift
) -> None:
    """Not recreated automatically: a meeting deleted in Zoom may have been deleted on purpose."""
    message = (
        f"Course {course_id}: Zoom meeting {meeting_id} no longer exists in Zoom; check whether "
        "it was deleted on purpose, then cancel the course or sync it again"
    )
    drift.add("meeting_missing", course_id=course_id, meeting_id=meeting_id, message=message)
    async with pool.acquire() as conn:
        await notify(conn, "reconcile_drift", message, subject=course_subject(course_id))


async def _compare(
    unit: UnitOfWork, course_id: str, meeting_id: int, in_zoom: dict[str, _InZoom], drift: Drift
) -> None:
    """Under the course lock: correct our view of Zoom where it is wrong, so the course
    decision that follows queues the repair. Bookings with work in flight are left alone."""
    conn = unit.conn
    stored = await course_repo.load_course(conn, course_id)
    meeting = await meeting_repo.load_meeting(conn, course_id)
    if stored is None or stored.course is None or meeting is None:
        return
    if meeting.live_id != meeting_id:
        return  # replaced meanwhile; the next run compares the new one
    course, host = stored.course, meeting.host or ""
    bookings = await booking_repo.load_bookings(conn, course_id)
    rows = await registrant_repo.load_registrants(conn, course_id)
    busy = await _busy_subjects(unit, [booking_subject(b.id) for b in bookings])
    explained = await _calendly_emails(unit, meeting_id)
    for booking in bookings:
        goal = registrant_goal(booking, course, host, bookings)
        row = rows.get(booking.id)
        on_meeting = row is not None and row.meeting_id == meeting_id
        email = row.email if row is not None and on_meeting and row.email else goal.email
        explained |= {e.casefold() for e in (email, goal.email) if e}
        if booking_subject(booking.id) in busy or (row and row.state in ("in_flight", "failed")):
            continue
        found = in_zoom.get(email.casefold()) if email else None
        entry = {"course_id": course_id, "booking_id": booking.id, "email": email}
        if goal.state is RegistrantState.APPROVED and goal.email:
            if found is not None and found.status == "approved":
                continue
            if row is None or not on_meeting:
                continue  # never registered yet: the course decision adds it anyway
            if found is None and not await _may_readd(unit, booking.id):
                drift.add("readd_postponed", **entry, reason="re-added once today already")
                continue
            drift.add(
                "missing_registrant" if found is None else "registrant_not_approved",
                **entry,
                zoom_status=found.status if found else None,
            )
            await registrant_repo.registrant_known(
                conn,
                booking.id,
                registrant_id=found.id if found else None,
                email=email,
                join_url=row.join_url if found else None,
                zoom_status="cancelled" if found else None,
                state="pending",
            )
        elif goal.state is RegistrantState.CANCELLED and found and found.status == "approved":
            drift.add("cancelled_still_approved", **entry, registrant_id=found.id)
            if not on_meeting:
                await registrant_repo.registrant_in_flight(conn, booking, meeting_id, found.email)
            await registrant_repo.registrant_known(
                conn,
                booking.id,
                registrant_id=found.id,
                email=found.email,
                join_url=row.join_url if row is not None and on_meeting else None,
                zoom_status="approved",
                state="pending",
            )
    for key, registrant in sorted(in_zoom.items()):
        if key not in explained and registrant.status != "denied":
            drift.add(
                "unexplained_registrant",
                course_id=course_id,
                meeting_id=meeting_id,
                registrant_id=registrant.id,
                email=registrant.email,
                zoom_status=registrant.status,
            )


async def _busy_subjects(unit: UnitOfWork, subjects: list[str]) -> set[str]:
    rows = await unit.conn.fetch(
        """
        SELECT DISTINCT subject FROM outbox
         WHERE subject = ANY($1::text[]) AND status IN ('pending', 'in_flight')
        """,
        subjects,
    )
    return {r["subject"] for r in rows}


async def _calendly_emails(unit: UnitOfWork, meeting_id: int) -> set[str]:
    """Registrants a Calendly event-type mapping put on this meeting are explained too."""
    rows = await unit.conn.fetch(
        "SELECT email FROM calendly_zoom_registrants WHERE meeting_id = $1 AND email IS NOT NULL",
        meeting_id,
    )
    return {r["email"].casefold() for r in rows}


async def _may_readd(unit: UnitOfWork, booking_id: str) -> bool:
    claimed = await unit.conn.fetchval(
        """
        INSERT INTO zoom_reconcile_readds (booking_id, day)
        VALUES ($1, (now() AT TIME ZONE 'UTC')::date)
        ON CONFLICT DO NOTHING RETURNING true
        """,
        booking_id,
    )
    return bool(claimed)


# -- one course, after a Zoom webhook --------------------------------------------------------


async def reconcile_course_command(runtime: WorkerRuntime, item: OutboxItem) -> None:
    """The outbox command a Zoom webhook queues: reconcile that course, as its own run."""
    course_id = Subject.parse(item.subject, SubjectKind.COURSE).key
    zoom = runtime.zoom
    if zoom is None:
        return  # nothing to compare with; the nightly run reports the missing credentials

    async def work(run_id: int, drift: Drift) -> None:
        await reconcile_course(runtime, zoom, course_id, drift, {**item.cause})

    await recorded(runtime.pool, "zoom", course_subject(course_id), work, reraise=True)


async def reconcile_course_dead(unit: UnitOfWork, item: OutboxItem, error: Exception) -> None:
    await unit.notify(
        "sync_failed",
        f"Reconciling {item.subject} with Zoom failed: {error}",
        subject=item.subject,
    )


def reconcile_commands() -> CommandTable:
    return {RECONCILE_COURSE: OutboxCommand(reconcile_course_command, reconcile_course_dead)}


# -- scheduling ------------------------------------------------------------------------------
