"""One course's drift from Zoom: asking for a reconcile when Zoom reports on its meeting, and
repairing what the reconcile found — under the course lock, correct our view of Zoom where it is
wrong, then decide the course, which queues the registrant commands a booking event would
(docs/architecture.md: "Zoom drift is repaired, never deleted")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import asyncpg

from service.adapters import attendance, calendly_zoom, reconcile_runs, waiting_commands
from service.adapters.courses import booking_repo, course_repo, meeting_repo, registrant_repo
from service.domain.booking_events import Booking
from service.domain.reconcile import (
    BookingInZoom,
    Drift,
    DriftKind,
    ListedRegistrant,
    Repair,
    compare_registrants,
)
from service.domain.zoom_objects import RegistrantStatus, SyncState
from service.services.course_decisions import (
    booking_subject,
    course_subject,
    decide_course,
    registrant_goal,
)
from service.services.unit_of_work import UnitOfWork

RECONCILE_COURSE = "reconcile_course"
DEBOUNCE = timedelta(seconds=10)


async def request_reconcile(unit: UnitOfWork, meeting_id: int, zoom_event: str) -> None:
    """Zoom said something about the meeting: reconcile its course a little later, so a burst
    of events folds into one run (one waiting command per subject). Not a course meeting of
    ours: nothing."""
    course_id = await attendance.live_course_of_meeting(unit.conn, meeting_id)
    if course_id is None:
        return
    queued = len(unit.outbox_ids)
    await unit.add_command(
        RECONCILE_COURSE,
        course_subject(course_id),
        cause={"course_id": course_id, "zoom_event": zoom_event},
    )
    await waiting_commands.delay_commands(unit.conn, unit.outbox_ids[queued:], DEBOUNCE)


async def repair_course(
    pool: asyncpg.Pool,
    course_id: str,
    meeting_id: int,
    in_zoom: Mapping[str, ListedRegistrant],
    *,
    drift: Drift,
    cause: dict[str, str],
) -> list[int]:
    """Compare and repair; returns the outbox ids to send. Bookings with work in flight are
    left alone; a meeting replaced meanwhile is left to the next run."""
    async with pool.acquire() as conn, conn.transaction():
        unit = UnitOfWork(conn)
        await unit.lock(course_subject(course_id))
        await _compare(unit, course_id, meeting_id, in_zoom, drift)
        await decide_course(unit, course_id, cause)
    return unit.outbox_ids


async def _compare(
    unit: UnitOfWork,
    course_id: str,
    meeting_id: int,
    in_zoom: Mapping[str, ListedRegistrant],
    drift: Drift,
) -> None:
    conn = unit.conn
    stored = await course_repo.load_course(conn, course_id)
    meeting = await meeting_repo.load_meeting(conn, course_id)
    if stored is None or stored.course is None or meeting is None:
        return
    if meeting.live_id != meeting_id:
        return
    course, host = stored.course, meeting.host or ""
    bookings = await booking_repo.load_bookings(conn, course_id)
    rows = await registrant_repo.load_registrants(conn, course_id)
    subjects = {b.id: booking_subject(b.id) for b in bookings}
    busy = await waiting_commands.busy_subjects(conn, list(subjects.values()))
    checks = []
    for booking in bookings:
        goal = registrant_goal(booking, course, host, bookings)
        checks.append(
            BookingInZoom(
                booking.id,
                goal.state,
                goal.email,
                rows.get(booking.id),
                subjects[booking.id] in busy,
            )
        )
    explained = await calendly_zoom.registrant_emails(conn, meeting_id)
    comparison = compare_registrants(meeting_id, checks, in_zoom, explained)
    by_id = {b.id: b for b in bookings}
    for repair in comparison.repairs:
        entry = {"course_id": course_id, "booking_id": repair.booking_id, "email": repair.email}
        if repair.readd and not await reconcile_runs.claim_readd(conn, repair.booking_id):
            drift.add(DriftKind.READD_POSTPONED, **entry, reason="re-added once today already")
            continue
        if repair.kind is DriftKind.CANCELLED_STILL_APPROVED:
            assert repair.found is not None
            drift.add(repair.kind, **entry, registrant_id=repair.found.id)
            await _record_still_approved(unit, repair, by_id, meeting_id)
            continue
        drift.add(repair.kind, **entry, zoom_status=repair.found.status if repair.found else None)
        await registrant_repo.registrant_known(
            conn,
            repair.booking_id,
            registrant_id=repair.found.id if repair.found else None,
            email=repair.email,
            join_url=repair.join_url,
            zoom_status=RegistrantStatus.CANCELLED if repair.found else None,
            state=SyncState.PENDING,
        )
    for registrant in comparison.unexplained:
        drift.add(
            DriftKind.UNEXPLAINED_REGISTRANT,
            course_id=course_id,
            meeting_id=meeting_id,
            registrant_id=registrant.id,
            email=registrant.email,
            zoom_status=registrant.status,
        )


async def _record_still_approved(
    unit: UnitOfWork, repair: Repair, bookings: Mapping[str, Booking], meeting_id: int
) -> None:
    assert repair.found is not None
    if not repair.on_meeting:
        booking = bookings[repair.booking_id]
        await registrant_repo.registrant_in_flight(
            unit.conn, booking, meeting_id, repair.found.email
        )
    await registrant_repo.registrant_known(
        unit.conn,
        repair.booking_id,
        registrant_id=repair.found.id,
        email=repair.found.email,
        join_url=repair.join_url,
        zoom_status=RegistrantStatus.APPROVED,
        state=SyncState.PENDING,
    )
