"""The analytics queries (CONTRACT §8): one aggregate statement per question."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service.adapters.postgres import Connection


async def webinar_periods(
    conn: Connection, start: datetime | None, end: datetime | None, period: str
) -> list[dict[str, Any]]:
    """Per period (by event start, UTC): events and attendee counts by status and attendance."""
    rows = await conn.fetch(
        """
        SELECT date_trunc($3, e.start_time AT TIME ZONE 'UTC')::date AS period,
               count(DISTINCT e.id) AS events,
               count(a.id) AS booked,
               count(a.id) FILTER (WHERE a.status = 'canceled') AS cancelled,
               count(a.id) FILTER (WHERE a.status = 'active' AND a.attended) AS attended,
               count(a.id) FILTER (WHERE a.status = 'active' AND NOT a.attended) AS not_attended,
               count(a.id) FILTER (WHERE a.status = 'active' AND a.attended IS NULL) AS pending
          FROM calendly_events e LEFT JOIN calendly_attendees a ON a.event_id = e.id
         WHERE ($1::timestamptz IS NULL OR e.start_time >= $1)
           AND ($2::timestamptz IS NULL OR e.start_time < $2)
         GROUP BY 1 ORDER BY 1
        """,
        start,
        end,
        period,
    )
    return [dict(r) for r in rows]


async def teachers_per_stage(conn: Connection) -> dict[int, int]:
    rows = await conn.fetch(
        "SELECT pipeline_status, count(*) AS n FROM users GROUP BY pipeline_status"
    )
    return {int(r["pipeline_status"]): int(r["n"]) for r in rows}


async def transitions(
    conn: Connection, start: datetime | None, end: datetime | None
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """
        SELECT from_status, to_status, count(*) AS count FROM pipeline_transitions
         WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2)
         GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2
        """,
        start,
        end,
    )
    return [dict(r) for r in rows]


async def courses_with_sessions(
    conn: Connection, start: datetime | None, end: datetime | None
) -> list[dict[str, Any]]:
    """Courses with a session dated in [start, end) (the course's local dates)."""
    rows = await conn.fetch(
        """
        SELECT c.id, c.title,
               (SELECT count(*) FROM bookings b
                 WHERE b.course_id = c.id AND b.status = 'confirmed') AS bookings
          FROM courses c
         WHERE EXISTS (
               SELECT 1 FROM jsonb_array_elements(c.sessions) s
                WHERE ($1::timestamptz IS NULL OR (s->>'date')::date >= $1::date)
                  AND ($2::timestamptz IS NULL OR (s->>'date')::date < $2::date))
         ORDER BY c.id
        """,
        start,
        end,
    )
    return [dict(r) for r in rows]
