"""Calendly events and attendees in Postgres, as the domain's snapshots and states.

Writes touch only the columns Calendly owns (and attendance, for no-shows): what
admins keep (user link, prognoses, notes) is never overwritten by a Calendly reading.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import asyncpg

from service.adapters.postgres import Connection
from service.adapters.teachers import only_user_with_email
from service.domain.attendee import AttendeeState
from service.domain.calendly_payloads import (
    CalendlyStatus,
    Cancellation,
    Location,
    ScheduledEventSnapshot,
)


def _cancellation_json(cancellation: Cancellation | None) -> dict[str, Any] | None:
    if cancellation is None:
        return None
    data = asdict(cancellation)
    if cancellation.created_at is not None:
        data["created_at"] = cancellation.created_at.isoformat()
    return data


def _cancellation(data: dict[str, Any] | None) -> Cancellation | None:
    if data is None:
        return None
    created = data.get("created_at")
    return Cancellation(
        canceled_by=data.get("canceled_by"),
        reason=data.get("reason"),
        canceler_type=data.get("canceler_type"),
        created_at=datetime.fromisoformat(created) if created else None,
    )


_EVENT_FIELDS = [
    "id",
    "uri",
    "name",
    "status",
    "start_time",
    "end_time",
    "event_type_uri",
    "location_kind",
    "location_join_url",
    "location_address",
    "location_text",
    "cancellation",
    "calendly_updated_at",
]
_EVENT_COLUMNS = ", ".join(f"ev.{c} AS ev_{c}" for c in _EVENT_FIELDS)


def _event(row: asyncpg.Record) -> tuple[int, ScheduledEventSnapshot] | None:
    """The event of a row read with `_EVENT_COLUMNS` and its id; None if it was not found."""
    if row["ev_id"] is None:
        return None
    location = (
        Location(
            kind=row["ev_location_kind"],
            join_url=row["ev_location_join_url"],
            address=row["ev_location_address"],
            text=row["ev_location_text"],
        )
        if row["ev_location_kind"] is not None
        else None
    )
    return row["ev_id"], ScheduledEventSnapshot(
        uri=row["ev_uri"],
        name=row["ev_name"],
        status=CalendlyStatus(row["ev_status"]),
        start_time=row["ev_start_time"],
        end_time=row["ev_end_time"],
        event_type=row["ev_event_type_uri"] or "",
        location=location,
        cancellation=_cancellation(row["ev_cancellation"]),
        updated_at=row["ev_calendly_updated_at"],
    )


async def load_event(conn: Connection, uri: str) -> tuple[int, ScheduledEventSnapshot] | None:
    """The stored event and its id."""
    row = await conn.fetchrow(
        f"SELECT {_EVENT_COLUMNS} FROM calendly_events ev WHERE ev.uri = $1",  # noqa: S608
        uri,
    )
    return _event(row) if row else None


async def save_event(conn: Connection, event: ScheduledEventSnapshot) -> tuple[int, bool]:
    """Upsert by URI; returns (id, created)."""
    location = event.location or Location(kind="")
    row = await conn.fetchrow(
        """
        INSERT INTO calendly_events
            (uri, name, status, start_time, end_time, event_type_uri, location_kind,
             location_join_url, location_address, location_text, cancellation,
             calendly_updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        ON CONFLICT (uri) DO UPDATE SET
            name = EXCLUDED.name, status = EXCLUDED.status, start_time = EXCLUDED.start_time,
            end_time = EXCLUDED.end_time, event_type_uri = EXCLUDED.event_type_uri,
            location_kind = EXCLUDED.location_kind,
            location_join_url = EXCLUDED.location_join_url,
            location_address = EXCLUDED.location_address,
            location_text = EXCLUDED.location_text, cancellation = EXCLUDED.cancellation,
            calendly_updated_at = EXCLUDED.calendly_updated_at, updated_at = now()
        RETURNING id, (xmax = 0) AS created
        """,
        event.uri,
        event.name,
        event.status.value,
        event.start_time,
        event.end_time,
        event.event_type or None,
        location.kind or None,
        location.join_url,
        location.address,
        location.text,
        _cancellation_json(event.cancellation),
        event.updated_at,
    )
    assert row is not None
    return row["id"], row["created"]


_ATTENDEE_COLUMNS = """
    a.id, a.uri, e.uri AS event_uri, a.name, a.email, a.status, a.cancellation,
    a.rescheduled_from, a.rescheduled_to, a.calendly_created_at, a.calendly_updated_at,
    a.attended, a.attendance_marked_at, a.user_id, a.prognosis_class_count,
    a.prognosis_start, a.notes
"""


def _attendee(row: asyncpg.Record) -> AttendeeState:
    return AttendeeState(
        uri=row["uri"],
        event_uri=row["event_uri"],
        name=row["name"],
        email=row["email"],
        status=CalendlyStatus(row["status"]),
        cancellation=_cancellation(row["cancellation"]),
        rescheduled_from=row["rescheduled_from"],
        rescheduled_to=row["rescheduled_to"],
        created_at=row["calendly_created_at"],
        updated_at=row["calendly_updated_at"],
        attended=row["attended"],
        attendance_marked_at=row["attendance_marked_at"],
        prognosis_class_count=row["prognosis_class_count"],
        prognosis_start=row["prognosis_start"],
        notes=row["notes"],
    )


async def load_attendee(conn: Connection, uri: str) -> AttendeeState | None:
    row = await conn.fetchrow(
        f"SELECT {_ATTENDEE_COLUMNS} FROM calendly_attendees a "  # noqa: S608 - fixed columns
        "JOIN calendly_events e ON e.id = a.event_id WHERE a.uri = $1",
        uri,
    )
    return _attendee(row) if row else None


@dataclass(frozen=True)
class StoredInvitee:
    """What an invitee reading merges with, read in one query."""

    event: tuple[int, ScheduledEventSnapshot] | None  # the scheduled event and its id
    attendee: AttendeeState | None
    linking: list[AttendeeState]  # attendees whose reschedule links name the invitee


async def load_invitee(conn: Connection, event_uri: str, uri: str) -> StoredInvitee:
    rows = await conn.fetch(
        f"""
        SELECT {_EVENT_COLUMNS}, att.*
          FROM (SELECT 1) AS one
          LEFT JOIN calendly_events ev ON ev.uri = $1
          LEFT JOIN (SELECT {_ATTENDEE_COLUMNS} FROM calendly_attendees a
                       JOIN calendly_events e ON e.id = a.event_id
                      WHERE a.uri = $2 OR a.rescheduled_from = $2 OR a.rescheduled_to = $2
                    ) AS att ON true
        """,  # noqa: S608 - fixed columns
        event_uri,
        uri,
    )
    return StoredInvitee(
        event=_event(rows[0]),
        attendee=next((_attendee(row) for row in rows if row["uri"] == uri), None),
        linking=[
            _attendee(row)
            for row in rows
            if uri in (row["rescheduled_from"], row["rescheduled_to"])
        ],
    )


@dataclass(frozen=True)
class SavedAttendee:
    id: int
    created: bool
    changed: bool  # created, or a Calendly-owned column or attendance differs
    user_id: str | None  # the teacher linked (admins' link, kept)


_CALENDLY_OWNED = """name, email, status, cancellation, rescheduled_from, rescheduled_to,
    calendly_updated_at, attended, event_id"""


def _owned(alias: str) -> str:
    return "row(" + ", ".join(f"{alias}.{c.strip()}" for c in _CALENDLY_OWNED.split(",")) + ")"


async def save_attendee(
    conn: Connection, state: AttendeeState, event_id: int, marked_by: str | None = None
) -> SavedAttendee:
    """Upsert the Calendly-owned columns and attendance. A new or changed attendee with no
    teacher is linked to the one user with its email (`teachers.only_user_with_email`)."""
    row = await conn.fetchrow(
        f"""
        WITH before AS (
            SELECT {_CALENDLY_OWNED} FROM calendly_attendees WHERE uri = $1
        )
        INSERT INTO calendly_attendees AS a
            (uri, event_id, name, email, status, cancellation, rescheduled_from,
             rescheduled_to, calendly_created_at, calendly_updated_at, attended,
             attendance_marked_at, attendance_marked_by, user_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                {only_user_with_email("$4")})
        ON CONFLICT (uri) DO UPDATE SET
            user_id = CASE WHEN a.user_id IS NULL AND {_owned("a")} IS DISTINCT FROM
                                {_owned("EXCLUDED")}
                           THEN EXCLUDED.user_id ELSE a.user_id END,
            event_id = EXCLUDED.event_id, name = EXCLUDED.name, email = EXCLUDED.email,
            status = EXCLUDED.status, cancellation = EXCLUDED.cancellation,
            rescheduled_from = EXCLUDED.rescheduled_from,
            rescheduled_to = EXCLUDED.rescheduled_to,
            calendly_created_at = EXCLUDED.calendly_created_at,
            calendly_updated_at = EXCLUDED.calendly_updated_at,
            attended = EXCLUDED.attended,
            attendance_marked_at = EXCLUDED.attendance_marked_at,
            attendance_marked_by = coalesce(EXCLUDED.attendance_marked_by,
                                            a.attendance_marked_by),
            updated_at = now()
        RETURNING a.id, a.user_id, (xmax = 0) AS created,
            (SELECT {_owned("b")} IS DISTINCT FROM {_owned("a")} FROM before b) AS changed
        """,  # noqa: S608 - fixed SQL
        state.uri,
        event_id,
        state.name,
        state.email,
        state.status.value,
        _cancellation_json(state.cancellation),
        state.rescheduled_from,
        state.rescheduled_to,
        state.created_at,
        state.updated_at,
        state.attended,
        state.attendance_marked_at,
        marked_by,
    )
    assert row is not None
    changed = bool(row["created"] or row["changed"])
    return SavedAttendee(row["id"], row["created"], changed, row["user_id"])


async def event_id_by_uri(conn: Connection, uri: str) -> int | None:
    value: int | None = await conn.fetchval("SELECT id FROM calendly_events WHERE uri = $1", uri)
    return value


async def record_attendance_change(
    conn: Connection, attendee_id: int, attended: bool | None, changed_by: str
) -> None:
    await conn.execute(
        "INSERT INTO attendance_changes (attendee_id, attended, changed_by) VALUES ($1, $2, $3)",
        attendee_id,
        attended,
        changed_by,
    )
