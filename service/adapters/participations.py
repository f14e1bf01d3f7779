"""Participations: a teacher's info-webinar date and whether they took part (seed 000).

Kept as admins record them; they are a separate register from Calendly attendees and do not
move the pipeline (which follows linked attendees only, CONTRACT §5).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service.adapters.postgres import Connection

COLUMNS = "id, teacher_id, webinar_date, participated, updated_by, created_at, updated_at"


async def event_date(conn: Connection, event_id: int) -> datetime | None:
    """The webinar date of a Calendly event (its start), None when there is no such event."""
    start: datetime | None = await conn.fetchval(
        "SELECT start_time FROM calendly_events WHERE id = $1", event_id
    )
    return start


async def for_date(
    conn: Connection, webinar_date: datetime, after_id: int | None, limit: int
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""
        SELECT {COLUMNS} FROM participations
         WHERE webinar_date = $1 AND ($2::bigint IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $3
        """,  # noqa: S608 - fixed columns
        webinar_date,
        after_id,
        limit,
    )
    return [dict(row) for row in rows]


async def create(
    conn: Connection, teacher_id: str, webinar_date: datetime, by: str
) -> dict[str, Any] | None:
    """None when this teacher already has a participation on that date."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO participations (teacher_id, webinar_date, updated_by)
        VALUES ($1, $2, $3)
        ON CONFLICT (teacher_id, webinar_date) DO NOTHING
        RETURNING {COLUMNS}
        """,  # noqa: S608 - fixed columns
        teacher_id,
        webinar_date,
        by,
    )
    return dict(row) if row else None


async def set_participated(
    conn: Connection, participation_id: int, participated: bool | None, by: str
) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"""
        UPDATE participations SET participated = $2, updated_by = $3, updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}
        """,  # noqa: S608 - fixed columns
        participation_id,
        participated,
        by,
    )
    return dict(row) if row else None
