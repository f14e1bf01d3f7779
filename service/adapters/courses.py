"""Postgres repository for courses, bookings and our view of their Zoom meeting and registrants.

Upserts are versioned (CONTRACT §3.2): a course or booking whose version is not newer than the
stored one changes nothing, so late, repeated and reordered events are harmless. Courses are kept
as received (`document`) and parsed back into the domain object, so deciding always works on the
same `Course` the event parser produces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.adapters.postgres import Connection
from service.domain.booking_events import (
    Booking,
    BookingStatus,
    Course,
    Participant,
    parse_booking_event,
)
from service.domain.course_sync import is_zoom_synced
from service.domain.hosting import HostedSlot, host_zoom_user, hosted_slots
from service.domain.validation_errors import ValidationError

Errors = list[dict[str, str]]


def errors_json(errors: Sequence[ValidationError]) -> Errors:
    return [{"code": e.code, "message": e.message} for e in errors]


@dataclass(frozen=True)
class StoredCourse:
    id: str
    version: int
    status: str
    course: Course | None  # None: known only from its cancellation


@dataclass(frozen=True)
class MeetingRow:
    course_id: str
    meeting_id: int | None
    host: str | None
    join_url: str | None
    state: str
    spec: dict[str, Any] | None
    sync_status: str
    errors: Errors
    deleted: bool

    @property
    def live_id(self) -> int | None:
        """The Zoom meeting that exists for the course now, if any."""
        return None if self.deleted else self.meeting_id


@dataclass(frozen=True)
class RegistrantRow:
    booking_id: str
    course_id: str
    meeting_id: int | None
    registrant_id: str | None
    email: str | None
    join_url: str | None
    zoom_status: str | None
    state: str
    errors: Errors


# -- courses ---------------------------------------------------------------------------------


def _course_from_document(document: dict[str, Any]) -> Course:
    envelope = {
        "type": "course.upserted",
        "timestamp": "2000-01-01T00:00:00Z",
        "data": {"course": document},
    }
    course = parse_booking_event(envelope).data
    assert isinstance(course, Course)
    return course


async def upsert_course(conn: Connection, course: Course, document: dict[str, Any]) -> bool:
    """Store the course unless the stored version is as new or newer; True when stored."""
    host = host_zoom_user(course)
    applied = await conn.fetchval(
        """
        INSERT INTO courses AS c (id, version, title, status, timezone, sessions, venue,
                                  moderator, supervisor, trainers, zoom_synced, zoom_host, document)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (id) DO UPDATE
           SET version = EXCLUDED.version, title = EXCLUDED.title, status = EXCLUDED.status,
               timezone = EXCLUDED.timezone, sessions = EXCLUDED.sessions,
               venue = EXCLUDED.venue, moderator = EXCLUDED.moderator,
               supervisor = EXCLUDED.supervisor, trainers = EXCLUDED.trainers,
               zoom_synced = EXCLUDED.zoom_synced, zoom_host = EXCLUDED.zoom_host,
               document = EXCLUDED.document, updated_at = now()
         WHERE c.version < EXCLUDED.version
        RETURNING true
        """,
        course.id,
        course.version,
        course.title,
        course.status.value,
        course.timezone,
        document.get("sessions", []),
        document.get("venue"),
        course.moderator.value,
        document.get("supervisor"),
        document.get("trainers", []),
        is_zoom_synced(course),
        host.strip().casefold() if host else None,
        document,
    )
    return bool(applied)


async def cancel_course(conn: Connection, course_id: str, version: int) -> bool:
    """Mark the course cancelled (a tombstone if unknown so far); True when stored."""
    applied = await conn.fetchval(
        """
        INSERT INTO courses AS c (id, version, status) VALUES ($1, $2, 'cancelled')
        ON CONFLICT (id) DO UPDATE
           SET version = EXCLUDED.version, status = 'cancelled', zoom_synced = false,
               document = CASE WHEN c.document IS NULL THEN NULL
                               ELSE c.document || jsonb_build_object('status', 'cancelled',
                                                                     'version', EXCLUDED.version)
                          END,
               updated_at = now()
         WHERE c.version < EXCLUDED.version
        RETURNING true
        """,
        course_id,
        version,
    )
    return bool(applied)


async def load_course(conn: Connection, course_id: str) -> StoredCourse | None:
    row = await conn.fetchrow(
        "SELECT id, version, status, document FROM courses WHERE id = $1", course_id
    )
    if row is None:
        return None
    document = row["document"]
    course = _course_from_document(document) if document is not None else None
    return StoredCourse(row["id"], row["version"], row["status"], course)


async def other_hosted_slots(conn: Connection, course: Course) -> list[HostedSlot]:
    """The sessions of the other Zoom-synced courses the same Zoom user hosts."""
    host = host_zoom_user(course)
    if host is None:
        return []
    rows = await conn.fetch(
        "SELECT document FROM courses WHERE zoom_synced AND zoom_host = $1 AND id <> $2",
        host.strip().casefold(),
        course.id,
    )
    return [slot for r in rows for slot in hosted_slots(_course_from_document(r["document"]))]


# -- bookings --------------------------------------------------------------------------------


async def upsert_booking(conn: Connection, booking: Booking, booked_at: datetime) -> bool:
    """Store the booking unless the stored version is as new or newer; True when stored.

    `booked_at` is the booking system's time of this event: it places a new booking in the
    queue for seats, and a booking confirmed again after a cancellation at the end of it.
    """
    participant = booking.participant
    applied = await conn.fetchval(
        """
        INSERT INTO bookings AS b
            (id, version, course_id, status, first_name, last_name, email, booked_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (id) DO UPDATE
           SET version = EXCLUDED.version, course_id = EXCLUDED.course_id,
               status = EXCLUDED.status, first_name = EXCLUDED.first_name,
               last_name = EXCLUDED.last_name, email = EXCLUDED.email,
               booked_at = CASE WHEN b.status = 'cancelled' AND EXCLUDED.status = 'confirmed'
                                THEN EXCLUDED.booked_at ELSE b.booked_at END,
               updated_at = now()
         WHERE b.version < EXCLUDED.version
        RETURNING true
        """,
        booking.id,
        booking.version,
        booking.course_id,
        booking.status.value,
        participant.first_name,
        participant.last_name,
        participant.email,
        booked_at,
    )
    return bool(applied)


async def cancel_booking(
    conn: Connection, booking_id: str, course_id: str, version: int, at: datetime
) -> bool:
    """Mark the booking cancelled (kept even if it was never seen confirmed); True when stored."""
    applied = await conn.fetchval(
        """
        INSERT INTO bookings AS b (id, version, course_id, status, booked_at)
        VALUES ($1, $2, $3, 'cancelled', $4)
        ON CONFLICT (id) DO UPDATE
           SET version = EXCLUDED.version, status = 'cancelled', updated_at = now()
         WHERE b.version < EXCLUDED.version
        RETURNING true
        """,
        booking_id,
        version,
        course_id,
        at,
    )
    return bool(applied)


async def cancel_course_bookings(conn: Connection, course_id: str) -> None:
    """A cancelled course cancels its bookings (their versions stay the booking system's)."""
    await conn.execute(
        """
        UPDATE bookings SET status = 'cancelled', updated_at = now()
         WHERE course_id = $1 AND status <> 'cancelled'
        """,
        course_id,
    )


def _booking(row: Any) -> Booking:
    return Booking(
        id=row["id"],
        version=row["version"],
        course_id=row["course_id"],
        status=BookingStatus(row["status"]),
        participant=Participant(row["first_name"], row["last_name"], row["email"]),
    )


async def load_bookings(conn: Connection, course_id: str) -> list[Booking]:
    """The course's bookings in booking order (first come first)."""
    rows = await conn.fetch(
        "SELECT * FROM bookings WHERE course_id = $1 ORDER BY booked_at, id", course_id
    )
    return [_booking(r) for r in rows]


async def load_booking(conn: Connection, booking_id: str) -> Booking | None:
    row = await conn.fetchrow("SELECT * FROM bookings WHERE id = $1", booking_id)
    return _booking(row) if row is not None else None


async def booking_course_id(conn: Connection, booking_id: str) -> str | None:
    course_id: str | None = await conn.fetchval(
        "SELECT course_id FROM bookings WHERE id = $1", booking_id
    )
    return course_id


# -- the Zoom meeting ------------------------------------------------------------------------


def _meeting(row: Any) -> MeetingRow:
    return MeetingRow(
        course_id=row["course_id"],
        meeting_id=row["meeting_id"],
        host=row["host"],
        join_url=row["join_url"],
        state=row["state"],
        spec=row["spec"],
        sync_status=row["sync_status"],
        errors=row["errors"],
        deleted=row["deleted_at"] is not None,
    )


async def load_meeting(conn: Connection, course_id: str) -> MeetingRow | None:
    row = await conn.fetchrow("SELECT * FROM zoom_meetings WHERE course_id = $1", course_id)
    return _meeting(row) if row is not None else None


async def ensure_meeting(conn: Connection, course_id: str) -> MeetingRow:
    """The meeting row, created pending; a deleted meeting's row starts over (a new meeting)."""
    row = await conn.fetchrow(
        """
        INSERT INTO zoom_meetings AS m (course_id) VALUES ($1)
        ON CONFLICT (course_id) DO UPDATE
           SET meeting_id = CASE WHEN m.deleted_at IS NULL THEN m.meeting_id END,
               join_url = CASE WHEN m.deleted_at IS NULL THEN m.join_url END,
               spec = CASE WHEN m.deleted_at IS NULL THEN m.spec END,
               host = CASE WHEN m.deleted_at IS NULL THEN m.host END,
               occurrences = CASE WHEN m.deleted_at IS NULL THEN m.occurrences
                                  ELSE '[]'::jsonb END,
               state = CASE WHEN m.deleted_at IS NULL THEN m.state ELSE 'pending' END,
               deleted_at = NULL
        RETURNING *
        """,
        course_id,
    )
    return _meeting(row)


async def set_meeting_status(
    conn: Connection, course_id: str, sync_status: str, errors: Errors
) -> None:
    await conn.execute(
        """
        INSERT INTO zoom_meetings (course_id, sync_status, errors) VALUES ($1, $2, $3)
        ON CONFLICT (course_id) DO UPDATE
           SET sync_status = EXCLUDED.sync_status, errors = EXCLUDED.errors, updated_at = now()
        """,
        course_id,
        sync_status,
        errors,
    )


async def clear_meeting_errors(conn: Connection, course_id: str) -> None:
    await conn.execute(
        """
        UPDATE zoom_meetings SET errors = '[]'::jsonb, sync_status = 'pending', updated_at = now()
         WHERE course_id = $1
        """,
        course_id,
    )


async def set_meeting_state(conn: Connection, course_id: str, state: str) -> None:
    await conn.execute(
        "UPDATE zoom_meetings SET state = $2, updated_at = now() WHERE course_id = $1",
        course_id,
        state,
    )


async def meeting_create_sent(
    conn: Connection, course_id: str, *, host: str, spec: dict[str, Any]
) -> None:
    """A create is about to be sent: until its answer is recorded, `spec` and `host` say what
    may exist in Zoom (a lost answer is looked up by them, not created again)."""
    await conn.execute(
        """
        UPDATE zoom_meetings SET state = 'in_flight', host = $2, spec = $3, updated_at = now()
         WHERE course_id = $1 AND meeting_id IS NULL
        """,
        course_id,
        host,
        spec,
    )


async def meeting_create_refused(conn: Connection, course_id: str) -> None:
    """Zoom answered the create with a refusal or a limit: nothing was created."""
    await conn.execute(
        """
        UPDATE zoom_meetings SET state = 'pending', host = NULL, spec = NULL, updated_at = now()
         WHERE course_id = $1 AND meeting_id IS NULL
        """,
        course_id,
    )


async def meeting_created(
    conn: Connection,
    course_id: str,
    *,
    meeting_id: int,
    host: str,
    join_url: str | None,
    spec: dict[str, Any],
    occurrences: list[Any],
) -> None:
    await conn.execute(
        """
        UPDATE zoom_meetings
           SET meeting_id = $2, host = $3, join_url = $4, spec = $5, occurrences = $6,
               state = 'done', updated_at = now()
         WHERE course_id = $1
        """,
        course_id,
        meeting_id,
        host,
        join_url,
        spec,
        occurrences,
    )


async def meeting_updated(conn: Connection, course_id: str, spec: dict[str, Any]) -> None:
    await conn.execute(
        """
        UPDATE zoom_meetings SET spec = $2, state = 'done', updated_at = now()
         WHERE course_id = $1
        """,
        course_id,
        spec,
    )


async def meeting_deleted(conn: Connection, course_id: str) -> None:
    """The meeting is gone from Zoom, and its registrants with it."""
    await conn.execute(
        """
        UPDATE zoom_meetings
           SET state = 'done', sync_status = 'ok', deleted_at = now(), updated_at = now()
         WHERE course_id = $1
        """,
        course_id,
    )
    await conn.execute(
        """
        UPDATE zoom_registrants SET zoom_status = 'deleted', state = 'done', updated_at = now()
         WHERE course_id = $1 AND zoom_status IS NOT NULL
        """,
        course_id,
    )


async def reset_failures(conn: Connection, course_id: str) -> None:
    """Let failed work be tried again (a new version arrived, or an admin asked to sync)."""
    await conn.execute(
        "UPDATE zoom_meetings SET state = 'pending' WHERE course_id = $1 AND state = 'failed'",
        course_id,
    )
    await conn.execute(
        "UPDATE zoom_registrants SET state = 'pending' WHERE course_id = $1 AND state = 'failed'",
        course_id,
    )


# -- registrants -----------------------------------------------------------------------------


def _registrant(row: Any) -> RegistrantRow:
    return RegistrantRow(
        booking_id=row["booking_id"],
        course_id=row["course_id"],
        meeting_id=row["meeting_id"],
        registrant_id=row["registrant_id"],
        email=row["email"],
        join_url=row["join_url"],
        zoom_status=row["zoom_status"],
        state=row["state"],
        errors=row["errors"],
    )


async def load_registrants(conn: Connection, course_id: str) -> dict[str, RegistrantRow]:
    rows = await conn.fetch("SELECT * FROM zoom_registrants WHERE course_id = $1", course_id)
    return {r["booking_id"]: _registrant(r) for r in rows}


async def load_registrant(conn: Connection, booking_id: str) -> RegistrantRow | None:
    row = await conn.fetchrow("SELECT * FROM zoom_registrants WHERE booking_id = $1", booking_id)
    return _registrant(row) if row is not None else None


async def reset_registrant_failure(conn: Connection, booking_id: str) -> None:
    await conn.execute(
        "UPDATE zoom_registrants SET state = 'pending' WHERE booking_id = $1 AND state = 'failed'",
        booking_id,
    )


async def set_registrant_errors(conn: Connection, booking: Booking, errors: Errors) -> None:
    """The booking's own problems (empty: none); a Zoom refusal they replace may be retried."""
    await conn.execute(
        """
        INSERT INTO zoom_registrants AS r (booking_id, course_id, errors) VALUES ($1, $2, $3)
        ON CONFLICT (booking_id) DO UPDATE
           SET errors = EXCLUDED.errors,
               state = CASE WHEN r.state = 'failed' THEN 'pending' ELSE r.state END,
               updated_at = now()
        """,
        booking.id,
        booking.course_id,
        errors,
    )


async def registrant_in_flight(
    conn: Connection, booking: Booking, meeting_id: int, email: str
) -> None:
    """About to call Zoom for this registrant: after a crash the row says "look it up first"."""
    await conn.execute(
        """
        INSERT INTO zoom_registrants AS r (booking_id, course_id, meeting_id, email, state)
        VALUES ($1, $2, $3, $4, 'in_flight')
        ON CONFLICT (booking_id) DO UPDATE
           SET state = 'in_flight', errors = '[]'::jsonb, updated_at = now(),
               meeting_id = EXCLUDED.meeting_id,
               email = CASE WHEN r.meeting_id IS DISTINCT FROM EXCLUDED.meeting_id
                            THEN EXCLUDED.email ELSE r.email END,
               registrant_id = CASE WHEN r.meeting_id IS DISTINCT FROM EXCLUDED.meeting_id
                                    THEN NULL ELSE r.registrant_id END,
               join_url = CASE WHEN r.meeting_id IS DISTINCT FROM EXCLUDED.meeting_id
                               THEN NULL ELSE r.join_url END,
               zoom_status = CASE WHEN r.meeting_id IS DISTINCT FROM EXCLUDED.meeting_id
                                  THEN NULL ELSE r.zoom_status END
        """,
        booking.id,
        booking.course_id,
        meeting_id,
        email,
    )


async def registrant_known(
    conn: Connection,
    booking_id: str,
    *,
    registrant_id: str | None,
    email: str | None,
    join_url: str | None,
    zoom_status: str | None,
    state: str = "done",
) -> None:
    """Record what Zoom holds for the booking now."""
    await conn.execute(
        """
        UPDATE zoom_registrants
           SET registrant_id = $2, email = $3, join_url = $4, zoom_status = $5, state = $6,
               errors = '[]'::jsonb, updated_at = now()
         WHERE booking_id = $1
        """,
        booking_id,
        registrant_id,
        email,
        join_url,
        zoom_status,
        state,
    )


async def registrant_failed(conn: Connection, booking_id: str, errors: Errors) -> None:
    await conn.execute(
        """
        UPDATE zoom_registrants SET state = 'failed', errors = $2, updated_at = now()
         WHERE booking_id = $1
        """,
        booking_id,
        errors,
    )


async def meeting_failed(conn: Connection, course_id: str, errors: Errors) -> None:
    await conn.execute(
        """
        UPDATE zoom_meetings SET state = 'failed', sync_status = 'failed', errors = $2,
                                 updated_at = now()
         WHERE course_id = $1
        """,
        course_id,
        errors,
    )
