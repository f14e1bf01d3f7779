"""What a course and its bookings need from Zoom now, decided inside the course's lock.

Every booking-system event for a course, the end of a Zoom command and an admin's "sync now" all
come here: the decision reads the stored state (course, bookings, our view of Zoom) and writes
its outcome — errors on the course or a booking, notifications, and outbox commands that say
"bring X in line". Commands read the current wish when they run, so deciding twice is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.adapters.courses import booking_repo, course_repo, meeting_repo, registrant_repo
from service.adapters.courses.errors import Errors, errors_json
from service.adapters.courses.meeting_repo import MeetingRow
from service.adapters.courses.registrant_repo import RegistrantRow
from service.domain.booking_events import Booking, BookingStatus, Course, CourseStatus
from service.domain.course_sync import is_zoom_synced
from service.domain.course_validation import shape_problems, validate_for_zoom
from service.domain.emails import InvalidEmail, zoom_email
from service.domain.hosting import host_person, host_zoom_user, same_zoom_user
from service.domain.recurrence import Recurrence
from service.domain.registrants import RegistrantState, booking_problems, desired_registrant_state
from service.domain.subjects import Subject, SubjectKind
from service.domain.validation_errors import ValidationError
from service.domain.zoom_meeting import MeetingSpec, meeting_changes, meeting_shape
from service.domain.zoom_objects import RegistrantStatus, SyncState
from service.services.unit_of_work import UnitOfWork

SYNC_MEETING = "sync_meeting"
DELETE_MEETING = "delete_meeting"
SYNC_REGISTRANT = "sync_registrant"


def course_subject(course_id: str) -> str:
    return str(Subject(SubjectKind.COURSE, course_id))


def booking_subject(booking_id: str) -> str:
    return str(Subject(SubjectKind.BOOKING, booking_id))


def spec_from_body(body: dict[str, Any]) -> MeetingSpec:
    """The `MeetingSpec` whose `to_zoom_body()` is `body` (what we stored after sending it)."""
    recurrence = body.get("recurrence")
    return MeetingSpec(
        topic=body["topic"],
        timezone=body["timezone"],
        start=datetime.fromisoformat(body["start_time"]),
        duration=body["duration"],
        recurrence=Recurrence.from_zoom(recurrence) if recurrence else None,
    )


@dataclass(frozen=True)
class RegistrantGoal:
    """What Zoom should hold for one booking, and why it can't be a registrant (if so)."""

    state: RegistrantState
    problems: list[ValidationError]
    email: str | None  # the address Zoom takes; None when it takes none


def registrant_goal(
    booking: Booking, course: Course, host: str, bookings: Sequence[Booking]
) -> RegistrantGoal:
    """A booking with a problem (host, email, no seat) must not be an approved registrant."""
    active = [b for b in bookings if b.status is BookingStatus.CONFIRMED]
    problems = booking_problems(booking, course, host, active)
    state = desired_registrant_state(booking, course)
    if problems and state is RegistrantState.APPROVED:
        state = RegistrantState.CANCELLED
    try:
        email: str | None = zoom_email(booking.participant.email)
    except InvalidEmail:
        email = None
    return RegistrantGoal(state, problems, email)


def registrant_needs_call(goal: RegistrantGoal, row: RegistrantRow | None, meeting_id: int) -> bool:
    """Whether Zoom differs from the goal (or might: a call whose outcome is unknown)."""
    on_meeting = row is not None and row.meeting_id == meeting_id
    if row is not None and row.state is SyncState.FAILED:
        return False  # Zoom refused; a new booking version or an admin's sync tries again
    if on_meeting and row is not None and row.state is SyncState.IN_FLIGHT:
        return True
    if goal.state is RegistrantState.APPROVED:
        return not (
            on_meeting
            and row is not None
            and row.zoom_status is RegistrantStatus.APPROVED
            and row.email == goal.email
        )
    if goal.state is RegistrantState.CANCELLED:
        return on_meeting and row is not None and row.zoom_status is RegistrantStatus.APPROVED
    return False


async def decide_course(unit: UnitOfWork, course_id: str, cause: dict[str, str]) -> None:
    """Bring the decisions for one course up to date; the caller holds the course lock."""
    conn = unit.conn
    stored = await course_repo.load_course(conn, course_id)
    if stored is None:
        return  # bookings wait for their course
    meeting = await meeting_repo.load_meeting(conn, course_id)
    subject = course_subject(course_id)
    if stored.status is CourseStatus.CANCELLED:
        await booking_repo.cancel_course_bookings(conn, course_id)
        if (
            meeting is not None
            and not meeting.deleted
            and (
                meeting.meeting_id is not None
                or meeting.state == "in_flight"
                or meeting.spec is not None  # a create was sent; its meeting may exist
            )
        ):
            await meeting_repo.set_meeting_status(conn, course_id, "pending", meeting.errors)
            await unit.add_command(DELETE_MEETING, subject, cause=cause)
        return
    course = stored.course
    if course is None or not is_zoom_synced(course):
        return
    live_id = meeting.live_id if meeting is not None else None
    if meeting is None or live_id is None:
        await _decide_new_meeting(unit, course, meeting, cause)
        return
    await _decide_existing_meeting(unit, course, meeting, live_id, cause)


async def _decide_new_meeting(
    unit: UnitOfWork, course: Course, meeting: MeetingRow | None, cause: dict[str, str]
) -> None:
    """Before the first call to Zoom: every problem on the course, or a create command."""
    others = await course_repo.other_hosted_slots(unit.conn, course)
    problems = errors_json(validate_for_zoom(course, others))
    if problems:
        await _report_course_errors(unit, course.id, meeting, problems, "failed")
        return
    meeting = await meeting_repo.ensure_meeting(unit.conn, course.id)
    if meeting.state == "failed":
        return  # Zoom refused the create; a new course version or an admin's sync retries
    await meeting_repo.set_meeting_status(unit.conn, course.id, "pending", [])
    await unit.add_command(SYNC_MEETING, course_subject(course.id), cause=cause)


async def _decide_existing_meeting(
    unit: UnitOfWork, course: Course, meeting: MeetingRow, meeting_id: int, cause: dict[str, str]
) -> None:
    """After the first sync: update what Zoom sees, report a moderator change, sync bookings."""
    if meeting.state != "failed":  # a refused update keeps its errors until retried
        problems = errors_json(shape_problems(course))
        if problems:
            status = "failed"
        elif meeting.spec is not None and meeting_changes(
            spec_from_body(meeting.spec), meeting_shape(course)
        ):
            status = "pending"
            await unit.add_command(SYNC_MEETING, course_subject(course.id), cause=cause)
        else:
            status = "ok" if meeting.state == "done" else "pending"
        reported = [*problems, *_moderator_change(course, meeting)]
        await _report_course_errors(unit, course.id, meeting, reported, status)
    await _decide_registrants(unit, course, meeting, meeting_id, cause)


def _moderator_change(course: Course, meeting: MeetingRow) -> Errors:
    """Zoom can't move a meeting to another host: the change is reported, not propagated."""
    new_host = host_zoom_user(course)
    if meeting.host is None or (new_host is not None and same_zoom_user(new_host, meeting.host)):
        return []
    person = host_person(course)
    who = f"{person.name} ({new_host or 'no Zoom user'})" if person else "nobody"
    return [
        {
            "code": "moderator_changed",
            "message": f"The moderator changed to {who} after the Zoom meeting was created on "
            f"{meeting.host}; Zoom can't move a meeting to another host, so it stays with "
            f"{meeting.host}",
        }
    ]


async def _decide_registrants(
    unit: UnitOfWork, course: Course, meeting: MeetingRow, meeting_id: int, cause: dict[str, str]
) -> None:
    conn = unit.conn
    host = meeting.host or host_zoom_user(course) or ""
    bookings = await booking_repo.load_bookings(conn, course.id)
    rows = await registrant_repo.load_registrants(conn, course.id)
    for booking in bookings:
        goal = registrant_goal(booking, course, host, bookings)
        row = rows.get(booking.id)
        problems = errors_json(goal.problems)
        current = row.errors if row is not None else []
        # A Zoom refusal (state failed) keeps its message until the booking's problems replace it.
        if problems != current and (
            problems or (row is not None and row.state is not SyncState.FAILED)
        ):
            await registrant_repo.set_registrant_errors(conn, booking, problems)
            if problems:
                await _notify_booking(unit, booking, problems)
        if registrant_needs_call(goal, row, meeting_id):
            booking_cause = {**cause, "course_id": course.id, "booking_id": booking.id}
            await unit.add_command(
                SYNC_REGISTRANT, booking_subject(booking.id), cause=booking_cause
            )


async def _report_course_errors(
    unit: UnitOfWork, course_id: str, meeting: MeetingRow | None, errors: Errors, status: str
) -> None:
    """Store the course's errors; a person hears about each new set once, not on every event."""
    await meeting_repo.set_meeting_status(unit.conn, course_id, status, errors)
    known = meeting.errors if meeting is not None else []
    fresh = [e for e in errors if e not in known]
    if fresh:
        await unit.notify(
            "validation",
            f"Course {course_id} can't be synced to Zoom as it is: "
            + "; ".join(e["message"] for e in fresh),
            subject=course_subject(course_id),
            details={"errors": fresh},
        )


async def _notify_booking(unit: UnitOfWork, booking: Booking, problems: Errors) -> None:
    await unit.notify(
        "validation",
        f"Booking {booking.id} (course {booking.course_id}) can't be a Zoom registrant: "
        + "; ".join(p["message"] for p in problems),
        subject=booking_subject(booking.id),
        details={"errors": problems},
    )
