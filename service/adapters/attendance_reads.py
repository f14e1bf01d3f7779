"""Reads of attendance for people: course sessions, imports, unmatched participants."""

from __future__ import annotations

from typing import Any

from service.adapters.postgres import Connection


async def course_imports(conn: Connection, course_id: str) -> list[Any]:
    return await conn.fetch(
        """
        SELECT id, uuid, started_at FROM attendance_imports
         WHERE course_id = $1 AND status = 'done' AND started_at IS NOT NULL
         ORDER BY started_at, id
        """,
        course_id,
    )


async def booking_presence(conn: Connection, import_ids: list[int]) -> list[Any]:
    return await conn.fetch(
        """
        SELECT import_id, target, seconds FROM attendance_presence
         WHERE import_id = ANY($1::bigint[]) AND kind = 'booking'
        """,
        import_ids,
    )


async def confirmed_bookings(conn: Connection, course_id: str) -> list[Any]:
    return await conn.fetch(
        """
        SELECT id, first_name, last_name, email FROM bookings
         WHERE course_id = $1 AND status = 'confirmed' ORDER BY id
        """,
        course_id,
    )


async def course_exists(conn: Connection, course_id: str) -> bool:
    return bool(await conn.fetchval("SELECT true FROM courses WHERE id = $1", course_id))


_IMPORT_COLUMNS = """
    id, meeting_id, uuid, started_at, ended_at, status, course_id, calendly_event_id,
    participants, matched, unmatched, pages, not_ready_checks, last_error, requested_at,
    finished_at
"""


async def list_imports(
    conn: Connection, status: str | None, before_id: int | None, limit: int
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""
        SELECT {_IMPORT_COLUMNS} FROM attendance_imports
         WHERE ($1::text IS NULL OR status = $1) AND ($2::bigint IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $3
        """,  # noqa: S608 - constant columns
        status,
        before_id,
        limit,
    )
    return [dict(r) for r in rows]


_UNMATCHED_COLUMNS = """
    u.id, i.meeting_id, i.uuid, u.name, u.email, u.registrant_id, u.seconds,
    i.started_at, i.course_id, i.calendly_event_id, u.linked_kind, u.linked_target,
    u.linked_by, u.linked_at
"""


async def list_unmatched(
    conn: Connection, before_id: int | None, limit: int
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""
        SELECT {_UNMATCHED_COLUMNS}
          FROM attendance_unmatched u JOIN attendance_imports i ON i.id = u.import_id
         WHERE u.linked_at IS NULL AND ($1::bigint IS NULL OR u.id < $1)
         ORDER BY u.id DESC LIMIT $2
        """,  # noqa: S608 - constant columns
        before_id,
        limit,
    )
    return [dict(r) for r in rows]


async def unmatched_for_update(conn: Connection, unmatched_id: int) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"""
        SELECT {_UNMATCHED_COLUMNS}, u.import_id
          FROM attendance_unmatched u JOIN attendance_imports i ON i.id = u.import_id
         WHERE u.id = $1 FOR UPDATE OF u
        """,  # noqa: S608 - constant columns
        unmatched_id,
    )
    return dict(row) if row is not None else None


async def record_link(
    conn: Connection, unmatched_id: int, import_id: int, *, kind: str, target: str, by: str
) -> None:
    await conn.execute(
        """
        UPDATE attendance_unmatched
           SET linked_kind = $2, linked_target = $3, linked_by = $4, linked_at = now()
         WHERE id = $1
        """,
        unmatched_id,
        kind,
        target,
        by,
    )
    await conn.execute(
        """
        UPDATE attendance_imports SET matched = matched + 1, unmatched = unmatched - 1
         WHERE id = $1
        """,
        import_id,
    )


async def attendee_event(conn: Connection, attendee_id: int) -> int | None:
    event_id: int | None = await conn.fetchval(
        "SELECT event_id FROM calendly_attendees WHERE id = $1", attendee_id
    )
    return event_id


async def booking_course(conn: Connection, booking_id: str) -> str | None:
    course_id: str | None = await conn.fetchval(
        "SELECT course_id FROM bookings WHERE id = $1", booking_id
    )
    return course_id


async def event_times(conn: Connection, event_id: int) -> Any:
    return await conn.fetchrow(
        "SELECT id, start_time, end_time FROM calendly_events WHERE id = $1", event_id
    )
