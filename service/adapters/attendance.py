"""Attendance imports in Postgres: instances, presence, unmatched participants, Zoom marks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from service.adapters.postgres import Connection
from service.domain.zoom_attendance import ImportStatus, Mark, Registered, Unmatched

BOOKING, ATTENDEE = "booking", "attendee"
# An instance belongs to the Calendly event of its meeting that starts nearest to it, within this.
EVENT_WINDOW = timedelta(hours=12)


def target_key(kind: str, target: str | int) -> str:
    return f"{kind}:{target}"


def split_key(key: str) -> tuple[str, str]:
    kind, _, target = key.partition(":")
    return kind, target


async def meeting_is_ours(conn: Connection, meeting_id: int) -> bool:
    """A course meeting, a meeting a Calendly event type is mapped to, or an event's location."""
    found = await conn.fetchval(
        """
        SELECT EXISTS (SELECT 1 FROM zoom_meetings WHERE meeting_id = $1)
            OR EXISTS (SELECT 1 FROM calendly_event_type_zoom WHERE meeting_id = $1)
            OR EXISTS (SELECT 1 FROM calendly_events WHERE zoom_meeting_id = $1)
        """,
        meeting_id,
    )
    return bool(found)


async def register_instance(
    conn: Connection,
    meeting_id: int,
    uuid: str,
    started_at: datetime | None,
    ended_at: datetime | None,
) -> tuple[int, str]:
    """The import row of an instance (created when new); returns (id, status)."""
    row = await conn.fetchrow(
        """
        INSERT INTO attendance_imports (meeting_id, uuid, started_at, ended_at)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (uuid) DO UPDATE
           SET started_at = coalesce(attendance_imports.started_at, EXCLUDED.started_at),
               ended_at = coalesce(attendance_imports.ended_at, EXCLUDED.ended_at)
        RETURNING id, status
        """,
        meeting_id,
        uuid,
        started_at,
        ended_at,
    )
    assert row is not None
    return row["id"], row["status"]


async def load_import(conn: Connection, uuid: str, *, for_update: bool = False) -> Any:
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(
        f"SELECT * FROM attendance_imports WHERE uuid = $1{lock}",  # noqa: S608 - constant
        uuid,
    )


async def not_ready(conn: Connection, import_id: int, error: str) -> int:
    """Count one "not ready yet" answer; returns how many there were."""
    checks: int = await conn.fetchval(
        """
        UPDATE attendance_imports SET not_ready_checks = not_ready_checks + 1, last_error = $2
         WHERE id = $1 RETURNING not_ready_checks
        """,
        import_id,
        error,
    )
    return checks


async def mark_failed(conn: Connection, uuid: str, error: str) -> None:
    await conn.execute(
        """
        UPDATE attendance_imports SET status = 'failed', last_error = $2, finished_at = now()
         WHERE uuid = $1 AND status <> 'done'
        """,
        uuid,
        error,
    )


async def course_of_meeting(conn: Connection, meeting_id: int) -> str | None:
    course_id: str | None = await conn.fetchval(
        """
        SELECT course_id FROM zoom_meetings WHERE meeting_id = $1
         ORDER BY updated_at DESC LIMIT 1
        """,
        meeting_id,
    )
    return course_id


async def event_for_instance(conn: Connection, meeting_id: int, started_at: datetime) -> Any:
    """The Calendly event of the meeting (location or mapped type) starting nearest the instance."""
    return await conn.fetchrow(
        """
        SELECT e.id, e.start_time, e.end_time FROM calendly_events e
         WHERE e.status = 'active'
           AND e.start_time BETWEEN $2::timestamptz - $3::interval
                                AND $2::timestamptz + $3::interval
           AND (e.zoom_meeting_id = $1
                OR regexp_replace(e.event_type_uri, '^.*/', '') IN (
                       SELECT event_type_uuid FROM calendly_event_type_zoom WHERE meeting_id = $1))
         ORDER BY abs(extract(epoch FROM e.start_time - $2::timestamptz)), e.id
         LIMIT 1
        """,
        meeting_id,
        started_at,
        EVENT_WINDOW,
    )


async def course_registrations(conn: Connection, course_id: str) -> list[Registered]:
    rows = await conn.fetch(
        """
        SELECT b.id, b.email, r.registrant_id FROM bookings b
          LEFT JOIN zoom_registrants r ON r.booking_id = b.id
         WHERE b.course_id = $1 AND b.status = 'confirmed' ORDER BY b.id
        """,
        course_id,
    )
    return [Registered(target_key(BOOKING, r["id"]), r["registrant_id"], r["email"]) for r in rows]


async def event_registrations(conn: Connection, event_id: int) -> list[Registered]:
    rows = await conn.fetch(
        """
        SELECT a.id, a.email, z.registrant_id FROM calendly_attendees a
          LEFT JOIN calendly_zoom_registrants z ON z.attendee_id = a.id
         WHERE a.event_id = $1 AND a.status = 'active' ORDER BY a.id
        """,
        event_id,
    )
    return [Registered(target_key(ATTENDEE, r["id"]), r["registrant_id"], r["email"]) for r in rows]


async def save_result(
    conn: Connection,
    import_id: int,
    *,
    course_id: str | None,
    event_id: int | None,
    seconds: dict[str, int],
    unmatched: Sequence[Unmatched],
    participants: int,
    pages: int,
) -> None:
    kinds, targets = zip(*(split_key(key) for key in seconds), strict=True) if seconds else ((), ())
    await conn.execute("DELETE FROM attendance_presence WHERE import_id = $1", import_id)
    await conn.execute(
        """
        INSERT INTO attendance_presence (import_id, kind, target, seconds)
        SELECT $1, k, t, s FROM unnest($2::text[], $3::text[], $4::int[]) AS x(k, t, s)
        """,
        import_id,
        list(kinds),
        list(targets),
        list(seconds.values()),
    )
    await conn.execute(
        "DELETE FROM attendance_unmatched WHERE import_id = $1 AND linked_at IS NULL", import_id
    )
    await conn.executemany(
        """
        INSERT INTO attendance_unmatched (import_id, name, email, registrant_id, seconds)
        VALUES ($1, $2, $3, $4, $5)
        """,
        [(import_id, u.name, u.email, u.registrant_id, u.seconds) for u in unmatched],
    )
    await conn.execute(
        """
        UPDATE attendance_imports
           SET status = $2, course_id = $3, calendly_event_id = $4, participants = $5,
               matched = $6, unmatched = $7, pages = $8, last_error = NULL, finished_at = now()
         WHERE id = $1
        """,
        import_id,
        ImportStatus.DONE.value,
        course_id,
        event_id,
        participants,
        len(seconds),
        len(unmatched),
        pages,
    )


async def event_seconds(conn: Connection, event_id: int) -> dict[int, int]:
    """Seconds per attendee over every imported instance of the event (restarts add up)."""
    rows = await conn.fetch(
        """
        SELECT p.target, sum(p.seconds) AS seconds
          FROM attendance_presence p JOIN attendance_imports i ON i.id = p.import_id
         WHERE i.calendly_event_id = $1 AND i.status = 'done' AND p.kind = 'attendee'
         GROUP BY p.target
        """,
        event_id,
    )
    return {int(r["target"]): int(r["seconds"]) for r in rows}


async def add_presence(conn: Connection, import_id: int, key: str, seconds: int) -> None:
    """Credit a linked participant's seconds to a registered person (added to what was there)."""
    kind, target = split_key(key)
    await conn.execute(
        """
        INSERT INTO attendance_presence (import_id, kind, target, seconds)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (import_id, kind, target)
        DO UPDATE SET seconds = attendance_presence.seconds + EXCLUDED.seconds
        """,
        import_id,
        kind,
        target,
        seconds,
    )


async def event_attendees(conn: Connection, event_id: int) -> list[Any]:
    """Active attendees with what the marks read; the caller holds their locks."""
    return await conn.fetch(
        """
        SELECT id, uri, user_id, attended, attendance_source FROM calendly_attendees
         WHERE event_id = $1 AND status = 'active' ORDER BY id FOR UPDATE
        """,
        event_id,
    )


async def set_zoom_marks(conn: Connection, marks: dict[int, Mark]) -> None:
    """Store Zoom's figure on every attendee and its mark where it applies; audit the changes."""
    ids = list(marks)
    await conn.execute(
        """
        UPDATE calendly_attendees a
           SET attended = m.attended, attendance_source = m.source,
               zoom_attended = m.zoom_attended, zoom_minutes = m.minutes,
               attendance_marked_at = CASE WHEN m.changed THEN now()
                                           ELSE a.attendance_marked_at END,
               attendance_marked_by = CASE WHEN m.changed THEN 'zoom'
                                           ELSE a.attendance_marked_by END,
               updated_at = now()
          FROM unnest($1::bigint[], $2::boolean[], $3::text[], $4::boolean[], $5::int[],
                      $6::boolean[]) AS m(id, attended, source, zoom_attended, minutes, changed)
         WHERE a.id = m.id
        """,
        ids,
        [m.attended for m in marks.values()],
        [m.source.value if m.source else None for m in marks.values()],
        [m.zoom_attended for m in marks.values()],
        [m.zoom_minutes for m in marks.values()],
        [m.changed for m in marks.values()],
    )
    changed = [(i, m.attended) for i, m in marks.items() if m.changed]
    await conn.executemany(
        """
        INSERT INTO attendance_changes (attendee_id, attended, changed_by)
        VALUES ($1, $2, 'zoom')
        """,
        changed,
    )


async def candidate_meetings(conn: Connection, since: datetime) -> list[int]:
    """Meetings whose instances the sweep looks at: courses', mapped event types', and those
    Calendly events since `since` point at."""
    rows = await conn.fetch(
        """
        SELECT meeting_id FROM zoom_meetings WHERE meeting_id IS NOT NULL
        UNION SELECT meeting_id FROM calendly_event_type_zoom
        UNION SELECT zoom_meeting_id FROM calendly_events
               WHERE zoom_meeting_id IS NOT NULL AND start_time >= $1 AND start_time <= now()
        ORDER BY 1
        """,
        since,
    )
    return [int(r["meeting_id"]) for r in rows]


async def requeue_import(conn: Connection, uuid: str) -> None:
    """The instance's import is wanted again: pending, with Zoom's list not yet asked for."""
    await conn.execute(
        "UPDATE attendance_imports SET status = $2, not_ready_checks = 0 WHERE uuid = $1",
        uuid,
        ImportStatus.PENDING,
    )


async def set_started_at(conn: Connection, import_id: int, started_at: datetime | None) -> None:
    await conn.execute(
        "UPDATE attendance_imports SET started_at = $2 WHERE id = $1", import_id, started_at
    )


async def live_course_of_meeting(conn: Connection, meeting_id: int) -> str | None:
    """The course whose live (not deleted) Zoom meeting this is."""
    course_id: str | None = await conn.fetchval(
        "SELECT course_id FROM zoom_meetings WHERE meeting_id = $1 AND deleted_at IS NULL",
        meeting_id,
    )
    return course_id
