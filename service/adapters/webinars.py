"""Reading info-webinars for admins: events, an event with its attendees, the upcoming list.

Each read is one SQL statement (counts are aggregated in the same query), so a page costs
one round trip however many events or attendees it shows. Rows come back in the API's
resource shapes (CONTRACT §5 "Resource shapes").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service.adapters.postgres import Connection

_EVENT_FIELDS = {
    "id": "e.id",
    "uri": "e.uri",
    "name": "e.name",
    "status": "e.status",
    "start_time": "e.start_time",
    "end_time": "e.end_time",
    "location": "coalesce(e.location_join_url, e.location_address, e.location_text)",
    "location_kind": "e.location_kind",
    "event_type": "e.event_type_uri",
}
EVENT_COLUMNS = ", ".join(f"{sql} AS {name}" for name, sql in _EVENT_FIELDS.items())
# The same, prefixed, for queries that also select an attendee's id, name, status …
_EVENT_COLUMNS_PREFIXED = ", ".join(f"{sql} AS e_{name}" for name, sql in _EVENT_FIELDS.items())

ATTENDEE_COLUMNS = """
    a.id, a.uri, a.event_id, a.name, a.email, a.status, a.attended, a.user_id,
    a.prognosis_class_count, a.prognosis_start, a.notes, a.rescheduled_from, a.rescheduled_to,
    CASE WHEN a.uri IS NULL THEN 'manual' ELSE 'calendly' END AS source,
    a.attendance_marked_at, a.attendance_marked_by, a.created_at, a.updated_at,
    a.attendance_source, a.zoom_minutes, a.zoom_attended
"""

_ACTIVE_COUNT = (
    "(SELECT count(*) FROM calendly_attendees c WHERE c.event_id = e.id AND c.status = 'active')"
)


async def list_events(
    conn: Connection,
    *,
    start_from: datetime | None,
    start_before: datetime | None,
    status: str | None,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """By start time (then id); `after` is the keyset position of the previous page."""
    rows = await conn.fetch(
        f"""
        SELECT {EVENT_COLUMNS}, {_ACTIVE_COUNT} AS attendee_count
          FROM calendly_events e
         WHERE ($1::timestamptz IS NULL OR e.start_time >= $1)
           AND ($2::timestamptz IS NULL OR e.start_time < $2)
           AND ($3::text IS NULL OR e.status = $3)
           AND ($4::timestamptz IS NULL OR (e.start_time, e.id) > ($4, $5::bigint))
         ORDER BY e.start_time, e.id
         LIMIT $6
        """,  # noqa: S608 - fixed column lists, values are parameters
        start_from,
        start_before,
        status,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    return [dict(row) for row in rows]


async def event_with_attendees(conn: Connection, event_id: int) -> dict[str, Any] | None:
    """The event and all its attendees (active first by id, then cancelled) in one query."""
    rows = await conn.fetch(
        f"""
        SELECT {_EVENT_COLUMNS_PREFIXED}, {ATTENDEE_COLUMNS}
          FROM calendly_events e
          LEFT JOIN calendly_attendees a ON a.event_id = e.id
         WHERE e.id = $1
         ORDER BY a.status, a.id
        """,  # noqa: S608 - fixed column lists, values are parameters
        event_id,
    )
    if not rows:
        return None
    event = {name: rows[0][f"e_{name}"] for name in _EVENT_FIELDS}
    attendees = [
        {key: value for key, value in row.items() if not key.startswith("e_")}
        for row in rows
        if row["id"] is not None
    ]
    event["attendee_count"] = sum(1 for a in attendees if a["status"] == "active")
    event["attendees"] = attendees
    return event


async def attendees_by_id(conn: Connection, ids: list[int]) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT {ATTENDEE_COLUMNS} FROM calendly_attendees a "  # noqa: S608 - fixed columns
        "WHERE a.id = ANY($1::bigint[]) ORDER BY a.id",
        ids,
    )
    return [dict(row) for row in rows]


# Attendance counts of one event `e` over its active attendees (a lateral index scan).
ACTIVE_COUNTS = """
    SELECT count(*) AS participation_count,
           count(*) FILTER (WHERE a.attended IS NULL) AS pending_count,
           count(*) FILTER (WHERE a.attended) AS participated_count,
           count(*) FILTER (WHERE NOT a.attended) AS not_participated_count
      FROM calendly_attendees a
     WHERE a.event_id = e.id AND a.status = 'active'
"""


async def upcoming(
    conn: Connection, *, days: int, after: tuple[datetime, int] | None, limit: int
) -> list[dict[str, Any]]:
    """Active events not yet over that start within `days`, with attendance counts over
    active attendees (participation = pending + participated + not participated).

    The page of events is chosen first and only its events' attendees are counted (a lateral
    index scan each), so the cost follows the page size, not the attendees in the window.
    """
    rows = await conn.fetch(
        f"""
        SELECT {EVENT_COLUMNS}, c.*
          FROM (SELECT * FROM calendly_events
                 WHERE status = 'active' AND end_time >= now()
                   AND start_time < now() + make_interval(days => $1)
                   AND ($2::timestamptz IS NULL OR (start_time, id) > ($2, $3::bigint))
                 ORDER BY start_time, id
                 LIMIT $4) e
         CROSS JOIN LATERAL ({ACTIVE_COUNTS}) c
         ORDER BY e.start_time, e.id
        """,  # noqa: S608 - fixed column lists, values are parameters
        days,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    return _with_attendee_count(rows)


async def recent(conn: Connection, *, days: int, limit: int) -> list[dict[str, Any]]:
    """Active events that ended within the last `days`, newest first, with the counts of
    `upcoming`: where an admin finds the attendance of webinars just held."""
    rows = await conn.fetch(
        f"""
        SELECT {EVENT_COLUMNS}, c.*
          FROM (SELECT * FROM calendly_events
                 WHERE status = 'active' AND end_time < now()
                   AND end_time >= now() - make_interval(days => $1)
                 ORDER BY start_time DESC, id DESC
                 LIMIT $2) e
         CROSS JOIN LATERAL ({ACTIVE_COUNTS}) c
         ORDER BY e.start_time DESC, e.id DESC
        """,  # noqa: S608 - fixed column lists, values are parameters
        days,
        limit,
    )
    return _with_attendee_count(rows)


def _with_attendee_count(rows: list[Any]) -> list[dict[str, Any]]:
    result = []
    for row in rows:
        item = dict(row)
        item["attendee_count"] = item["participation_count"]
        result.append(item)
    return result
