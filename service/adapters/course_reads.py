"""Reading courses with their Zoom state (the API's and the UI's course views).

A course's `zoom.sync_status` is null when Zoom never heard of it; errors are the
messages recorded when validation or Zoom refused, verbatim.
"""

from __future__ import annotations

from typing import Any

from service.adapters.postgres import Connection


class CourseNotFound(Exception):
    pass


_COURSE_COLUMNS = """
    c.id, c.version, c.title, c.status, c.sessions, c.zoom_synced,
    m.meeting_id, m.join_url, m.sync_status, m.errors, m.deleted_at
"""


def zoom_view(row: Any) -> dict[str, Any]:
    """The course's Zoom view; `sync_status` is null for a course Zoom never heard of."""
    deleted = row["deleted_at"] is not None
    sync_status = row["sync_status"] or ("pending" if row["zoom_synced"] else None)
    return {
        "meeting_id": None if deleted else row["meeting_id"],
        "join_url": None if deleted else row["join_url"],
        "sync_status": sync_status,
        "errors": row["errors"] or [],
    }


def course_view(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "version": row["version"],
        "title": row["title"],
        "status": row["status"],
        "sessions": row["sessions"],
        "zoom": zoom_view(row),
    }


async def list_courses(
    conn: Connection, *, after: str | None, sync_status: str | None, limit: int
) -> list[dict[str, Any]]:
    """By id; `after` is the last id of the previous page."""
    rows = await conn.fetch(
        f"""
        SELECT {_COURSE_COLUMNS}
          FROM courses c LEFT JOIN zoom_meetings m ON m.course_id = c.id
         WHERE ($1::text IS NULL OR c.id > $1)
           AND ($2::text IS NULL OR COALESCE(m.sync_status,
                    CASE WHEN c.zoom_synced THEN 'pending' END) = $2)
         ORDER BY c.id LIMIT $3
        """,  # noqa: S608 - a constant column list; values are parameters
        after,
        sync_status,
        limit,
    )
    return [course_view(r) for r in rows]


async def detail(conn: Connection, course_id: str) -> dict[str, Any]:
    row = await conn.fetchrow(
        f"""
        SELECT {_COURSE_COLUMNS}
          FROM courses c LEFT JOIN zoom_meetings m ON m.course_id = c.id
         WHERE c.id = $1
        """,  # noqa: S608 - a constant column list; values are parameters
        course_id,
    )
    if row is None:
        raise CourseNotFound(f"course {course_id} is not known")
    bookings = await conn.fetch(
        """
        SELECT b.id, b.status, b.email, r.registrant_id, r.zoom_status, r.join_url,
               COALESCE(r.errors, '[]'::jsonb) AS errors
          FROM bookings b LEFT JOIN zoom_registrants r ON r.booking_id = b.id
         WHERE b.course_id = $1
         ORDER BY b.booked_at, b.id
        """,
        course_id,
    )
    return {
        **course_view(row),
        "bookings": [
            {
                "id": b["id"],
                "status": b["status"],
                "email": b["email"],
                "registrant": {
                    "id": b["registrant_id"],
                    "status": b["zoom_status"],
                    "join_url": b["join_url"],
                }
                if b["registrant_id"]
                else None,
                "errors": b["errors"],
            }
            for b in bookings
        ],
    }
