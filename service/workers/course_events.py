"""Inbox handlers for the booking system's course and booking events (CONTRACT §3.2, §4).

Each handler stores the event if it is newer than what we have (else it changes nothing), then
decides, under the course's lock, what Zoom needs (`course_decisions`). No Zoom call happens
here: decisions become outbox commands, executed after commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service.adapters.courses import booking_repo, course_repo, meeting_repo, registrant_repo
from service.domain.booking_events import (
    Booking,
    BookingCancelled,
    Course,
    CourseCancelled,
    parse_booking_event,
)
from service.services.course_decisions import course_subject, decide_course
from service.services.unit_of_work import UnitOfWork


async def handle_course_upserted(unit: UnitOfWork, body: dict[str, Any]) -> None:
    course = parse_booking_event(body).data
    assert isinstance(course, Course)
    await unit.lock(course_subject(course.id))
    if not await course_repo.upsert_course(unit.conn, course, body["data"]["course"]):
        return
    await meeting_repo.reset_failures(unit.conn, course.id)  # a new version deserves a new try
    await decide_course(unit, course.id, _cause(body, course_id=course.id))


async def handle_course_cancelled(unit: UnitOfWork, body: dict[str, Any]) -> None:
    event = parse_booking_event(body).data
    assert isinstance(event, CourseCancelled)
    await unit.lock(course_subject(event.course_id))
    if not await course_repo.cancel_course(unit.conn, event.course_id, event.version):
        return
    await decide_course(unit, event.course_id, _cause(body, course_id=event.course_id))


async def handle_booking_upserted(unit: UnitOfWork, body: dict[str, Any]) -> None:
    event = parse_booking_event(body)
    booking = event.data
    assert isinstance(booking, Booking)
    await _apply_booking(
        unit, body, event.timestamp, booking.id, booking.course_id, booking=booking
    )


async def handle_booking_cancelled(unit: UnitOfWork, body: dict[str, Any]) -> None:
    event = parse_booking_event(body)
    cancelled = event.data
    assert isinstance(cancelled, BookingCancelled)
    await _apply_booking(
        unit, body, event.timestamp, cancelled.booking_id, cancelled.course_id, cancelled=cancelled
    )


async def _apply_booking(
    unit: UnitOfWork,
    body: dict[str, Any],
    at: datetime,
    booking_id: str,
    course_id: str,
    *,
    booking: Booking | None = None,
    cancelled: BookingCancelled | None = None,
) -> None:
    """Store a booking change and re-decide its course (a freed seat may let another in).

    `at` is the booking system's time of the event: seats go in that order, not in the
    order events happen to be processed. A booking that moved to another course
    re-decides the old one too.
    """
    previous_course = await booking_repo.booking_course_id(unit.conn, booking_id)
    courses = sorted({course_id, previous_course or course_id})
    for key in courses:  # always in the same order: two handlers never wait on each other
        await unit.lock(course_subject(key))
    if booking is not None:
        applied = await booking_repo.upsert_booking(unit.conn, booking, at)
    else:
        assert cancelled is not None
        applied = await booking_repo.cancel_booking(
            unit.conn, cancelled.booking_id, cancelled.course_id, cancelled.version, at
        )
    if not applied:
        return
    await registrant_repo.reset_registrant_failure(unit.conn, booking_id)
    for key in courses:
        await decide_course(unit, key, _cause(body, course_id=key, booking_id=booking_id))


def _cause(body: dict[str, Any], **ids: str) -> dict[str, str]:
    return {"event": str(body.get("type")), **ids}
