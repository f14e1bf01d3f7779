"""Use cases of a course: apply a booking-system event, and an admin's "sync now" (CONTRACT §4, §5).

An event is stored if it is newer than what we have (else it changes nothing); then the course is
decided once, under its lock (`course_decisions`). No Zoom call happens here: decisions become
outbox commands, executed after commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from service.adapters import course_reads
from service.adapters.course_reads import CourseNotFound
from service.adapters.courses import booking_repo, course_repo, meeting_repo, registrant_repo
from service.domain.booking_events import (
    Booking,
    BookingCancelled,
    BookingEvent,
    Course,
    CourseCancelled,
)
from service.services.course_decisions import course_subject, decide_course
from service.services.resources import Resources
from service.services.unit_of_work import UnitOfWork


async def apply_booking_event(
    unit: UnitOfWork, event: BookingEvent, data: Mapping[str, Any]
) -> None:
    """Apply a course or booking event; `data` is the event's `data` as received (stored as is)."""
    cause = {"event": event.type.value}
    match event.data:
        case Course() as course:
            await _apply_course(unit, course, data["course"], cause)
        case CourseCancelled() as cancelled:
            await _cancel_course(unit, cancelled, cause)
        case Booking() | BookingCancelled() as change:
            await _apply_booking(unit, event.timestamp, change, cause)


async def _apply_course(
    unit: UnitOfWork, course: Course, document: Mapping[str, Any], cause: dict[str, str]
) -> None:
    await unit.lock(course_subject(course.id))
    if not await course_repo.upsert_course(unit.conn, course, dict(document)):
        return
    await meeting_repo.reset_failures(unit.conn, course.id)  # a new version deserves a new try
    await decide_course(unit, course.id, {**cause, "course_id": course.id})


async def _cancel_course(
    unit: UnitOfWork, cancelled: CourseCancelled, cause: dict[str, str]
) -> None:
    await unit.lock(course_subject(cancelled.course_id))
    if await course_repo.cancel_course(unit.conn, cancelled.course_id, cancelled.version):
        await decide_course(unit, cancelled.course_id, {**cause, "course_id": cancelled.course_id})


async def _apply_booking(
    unit: UnitOfWork, at: datetime, change: Booking | BookingCancelled, cause: dict[str, str]
) -> None:
    """Store a booking change and re-decide its course (a freed seat may let another in).

    `at` is the booking system's time of the event: seats go in that order, not in the
    order events happen to be processed. A booking that moved to another course
    re-decides the old one too.
    """
    booking_id = change.id if isinstance(change, Booking) else change.booking_id
    course_id = change.course_id
    previous_course = await booking_repo.booking_course_id(unit.conn, booking_id)
    courses = sorted({course_id, previous_course or course_id})
    for key in courses:  # always in the same order: two handlers never wait on each other
        await unit.lock(course_subject(key))
    if isinstance(change, Booking):
        applied = await booking_repo.upsert_booking(unit.conn, change, at)
    else:
        applied = await booking_repo.cancel_booking(
            unit.conn, booking_id, course_id, change.version, at
        )
    if not applied:
        return
    await registrant_repo.reset_registrant_failure(unit.conn, booking_id)
    for key in courses:
        await decide_course(unit, key, {**cause, "course_id": key, "booking_id": booking_id})


async def sync_now(rt: Resources, course_id: str) -> dict[str, Any]:
    """Validate again and queue what Zoom needs now; failed work is tried again and every error
    is reported afresh. Returns the course detail and how many Zoom commands were queued."""
    async with rt.pool.acquire() as conn:
        unit = UnitOfWork(conn)
        async with conn.transaction():
            await unit.lock(course_subject(course_id))
            if await course_repo.load_course(conn, course_id) is None:
                raise CourseNotFound(f"course {course_id} is not known")
            await meeting_repo.reset_failures(conn, course_id)
            await meeting_repo.clear_meeting_errors(conn, course_id)  # so each is reported afresh
            await decide_course(unit, course_id, {"event": "api.sync", "course_id": course_id})
        detail = await course_reads.detail(conn, course_id)
    await rt.courier.send_outbox(unit.outbox_ids)
    return {**detail, "queued": len(unit.outbox_ids)}
