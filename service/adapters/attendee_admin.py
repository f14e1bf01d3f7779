"""What admins change on attendees: manual attendees, their own fields, attendance marks.

Admin writes take the same per-URI advisory lock as Calendly readings
(`calendly:<invitee uri>`), so a webhook merging an invitee and an admin marking it decide
one after the other and neither overwrites the other with a stale read. Attendees added by
hand have no URI and are locked by id.
"""

from __future__ import annotations

from typing import Any

from service.adapters.postgres import Connection

# The columns PATCH may set; values always travel as parameters.
EDITABLE = ("name", "email", "user_id", "prognosis_class_count", "prognosis_start", "notes")


async def lock_keys(conn: Connection, ids: list[int]) -> list[str]:
    """The advisory-lock keys of these attendees, sorted (one order everywhere: no deadlocks)."""
    rows = await conn.fetch(
        "SELECT id, uri FROM calendly_attendees WHERE id = ANY($1::bigint[])", ids
    )
    return sorted({f"calendly:{r['uri']}" if r["uri"] else f"attendee:{r['id']}" for r in rows})


async def load_for_update(conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT id, uri, user_id, event_id, email FROM calendly_attendees "
        "WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
        ids,
    )
    return {row["id"]: dict(row) for row in rows}


async def create_manual(conn: Connection, event_id: int, name: str, email: str) -> int:
    attendee_id: int = await conn.fetchval(
        """
        INSERT INTO calendly_attendees (event_id, name, email, status)
        VALUES ($1, $2, $3, 'active') RETURNING id
        """,
        event_id,
        name,
        email,
    )
    return attendee_id


async def active_with_email(conn: Connection, event_id: int, email: str) -> int | None:
    found: int | None = await conn.fetchval(
        """
        SELECT id FROM calendly_attendees
         WHERE event_id = $1 AND lower(email) = lower($2) AND status = 'active'
         LIMIT 1
        """,
        event_id,
        email,
    )
    return found


async def update_fields(conn: Connection, attendee_id: int, changes: dict[str, Any]) -> None:
    columns = [column for column in EDITABLE if column in changes]
    if not columns:
        return
    assignments = ", ".join(f"{column} = ${n}" for n, column in enumerate(columns, start=2))
    await conn.execute(
        f"UPDATE calendly_attendees SET {assignments}, updated_at = now() "  # noqa: S608
        "WHERE id = $1",
        attendee_id,
        *(changes[column] for column in columns),
    )


async def set_attendance(conn: Connection, marks: dict[int, bool | None], by: str) -> None:
    """Set every mark at the transaction's time, and keep who/when in `attendance_changes`."""
    ids, values = list(marks), list(marks.values())
    await conn.execute(
        """
        UPDATE calendly_attendees a
           SET attended = m.attended, attendance_marked_at = now(),
               attendance_marked_by = $3, attendance_source = 'manual', updated_at = now()
          FROM unnest($1::bigint[], $2::boolean[]) AS m(id, attended)
         WHERE a.id = m.id
        """,
        ids,
        values,
        by,
    )
    await conn.execute(
        """
        INSERT INTO attendance_changes (attendee_id, attended, changed_by)
        SELECT id, attended, $3 FROM unnest($1::bigint[], $2::boolean[]) AS m(id, attended)
        """,
        ids,
        values,
        by,
    )


async def user_exists(conn: Connection, user_id: str) -> bool:
    return bool(await conn.fetchval("SELECT true FROM users WHERE id = $1", user_id))


async def event_exists(conn: Connection, event_id: int) -> bool:
    return bool(await conn.fetchval("SELECT true FROM calendly_events WHERE id = $1", event_id))


async def active_ids_of_event(conn: Connection, event_id: int) -> list[int]:
    rows = await conn.fetch(
        "SELECT id FROM calendly_attendees WHERE event_id = $1 AND status = 'active'", event_id
    )
    return [row["id"] for row in rows]


async def calendly_invitee_ids(conn: Connection, attendee_ids: list[int]) -> list[int]:
    """Those of `attendee_ids` that are Calendly invitees (not added by hand), in id order."""
    rows = await conn.fetch(
        "SELECT id FROM calendly_attendees WHERE id = ANY($1::bigint[]) AND uri IS NOT NULL",
        attendee_ids,
    )
    return sorted(int(row["id"]) for row in rows)
