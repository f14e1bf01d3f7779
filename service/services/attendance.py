"""Attendance use cases (CONTRACT §7), shared by the API and the web UI.

Every function takes the asyncpg pool and returns plain data (dicts, lists, str, int, None,
datetimes); refusals are `service.services.errors` (message, details) as in the other use cases.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from service.adapters import attendance as repo
from service.adapters import attendance_reads as reads
from service.adapters.broker import Courier
from service.adapters.courses import course_repo
from service.domain.zoom_attendance import (
    AttendanceRules,
    ImportStatus,
    attended,
    minutes,
    occurrence_for,
    session_seconds,
    session_windows,
)
from service.services.attendance_marks import apply_event_marks
from service.services.errors import Conflict, Invalid, NotFound
from service.services.unit_of_work import UnitOfWork


async def course_attendance(
    pool: asyncpg.Pool, course_id: str, min_percent: int
) -> dict[str, Any] | None:
    """Per session of the course, per confirmed booking: `attended` and `minutes`.

    `{"course_id", "min_percent", "sessions": [{"date", "start_time", "duration_minutes",
    "uuid", "uuids", "imported", "attended_count", "bookings": [{"booking_id", "name",
    "email", "attended", "minutes"}]}]}`; None when the course is unknown. A session without an
    imported instance has `attended` and `minutes` null; in an imported one a booking nobody
    saw is not attended with 0 minutes. Several instances of one session (a restarted meeting)
    add up.
    """
    async with pool.acquire() as conn:
        stored = await course_repo.load_course(conn, course_id)
        if stored is None:
            return None
        imports = await reads.course_imports(conn, course_id)
        presence = await reads.booking_presence(conn, [i["id"] for i in imports])
        bookings = await reads.confirmed_bookings(conn, course_id)
    windows = session_windows(stored.course.sessions, stored.course.zone) if stored.course else []
    starts = [w.start for w in windows]
    per_import: dict[int, dict[str, int]] = {i["id"]: {} for i in imports}
    for row in presence:
        per_import[row["import_id"]][row["target"]] = row["seconds"]
    totals = session_seconds(((i["started_at"], per_import[i["id"]]) for i in imports), starts)
    uuids: dict[int, list[str]] = {}
    for instance in imports:
        index = occurrence_for(instance["started_at"], starts)
        if index is not None:
            uuids.setdefault(index, []).append(instance["uuid"])
    sessions = []
    for index, window in enumerate(windows):
        imported = index in uuids
        seconds = totals.get(index, {})
        rows = []
        for booking in bookings:
            present = seconds.get(booking["id"], 0)
            rows.append(
                {
                    "booking_id": booking["id"],
                    "name": f"{booking['first_name']} {booking['last_name']}".strip(),
                    "email": booking["email"],
                    "attended": attended(present, window.seconds, min_percent)
                    if imported
                    else None,
                    "minutes": minutes(present) if imported else None,
                }
            )
        sessions.append(
            {
                "date": window.date.isoformat(),
                "start_time": window.start,
                "duration_minutes": window.seconds // 60,
                "uuid": uuids[index][0] if imported else None,
                "uuids": uuids.get(index, []),
                "imported": imported,
                "attended_count": sum(r["attended"] is True for r in rows),
                "bookings": rows,
            }
        )
    return {"course_id": course_id, "min_percent": min_percent, "sessions": sessions}


def _with_minutes(row: dict[str, Any]) -> dict[str, Any]:
    seconds = row.pop("seconds")
    return {**row, "minutes": minutes(seconds)}


async def list_imports(
    pool: asyncpg.Pool,
    *,
    status: ImportStatus | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """Imports, newest first: `{"items": [...], "next_before_id": int | None}`."""
    async with pool.acquire() as conn:
        rows = await reads.list_imports(
            conn, status.value if status else None, before_id, limit + 1
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_before_id": rows[-1]["id"] if more else None}


async def list_unmatched(
    pool: asyncpg.Pool, *, before_id: int | None = None, limit: int = 50
) -> dict[str, Any]:
    """Participants waiting for a person to link them, newest first (same shape as above).

    Each item: `id, meeting_id, uuid, name, email, registrant_id, minutes, started_at,
    course_id, calendly_event_id` (the last two say what to link to: a booking of that course
    or an attendee of that event).
    """
    async with pool.acquire() as conn:
        rows = await reads.list_unmatched(conn, before_id, limit + 1)
    more = len(rows) > limit
    rows = [_with_minutes(r) for r in rows[:limit]]
    return {"items": rows, "next_before_id": rows[-1]["id"] if more else None}


async def link_unmatched(
    pool: asyncpg.Pool,
    unmatched_id: int,
    *,
    attendee_id: int | None = None,
    booking_id: str | None = None,
    by: str,
    rules: AttendanceRules,
    courier: Courier | None = None,
) -> dict[str, Any]:
    """Credit an unmatched participant to an attendee of the instance's Calendly event or to a
    booking of its course, as if it had matched; marks, audit, pipeline and (with
    `rules.push_no_shows`) no-shows follow. `rules` is `attendance_rules(settings)` from
    service.services.attendance_marks.

    Exactly one of `attendee_id` / `booking_id`. 404: no such unmatched participant; 409: it
    is linked already; 422: the target is unknown or belongs to another event or course.
    """
    if (attendee_id is None) == (booking_id is None):
        raise Invalid(
            "the request is invalid",
            [{"field": "attendee_id", "problem": "give exactly one of attendee_id, booking_id"}],
        )
    async with pool.acquire() as conn, conn.transaction():
        unit = UnitOfWork(conn)
        row = await reads.unmatched_for_update(conn, unmatched_id)
        if row is None:
            raise NotFound(f"no such unmatched participant: {unmatched_id}")
        if row["linked_at"] is not None:
            raise Conflict(
                f"unmatched participant {unmatched_id} is already linked to "
                f"{row['linked_kind']} {row['linked_target']}",
            )
        if attendee_id is not None:
            event_id = await reads.attendee_event(conn, attendee_id)
            if event_id is None or event_id != row["calendly_event_id"]:
                raise _wrong_target("attendee_id", f"attendee {attendee_id}", "event", row)
            kind, target = repo.ATTENDEE, str(attendee_id)
        else:
            assert booking_id is not None
            course_id = await reads.booking_course(conn, booking_id)
            if course_id is None or course_id != row["course_id"]:
                raise _wrong_target("booking_id", f"booking {booking_id}", "course", row)
            kind, target = repo.BOOKING, booking_id
        await reads.record_link(
            conn, unmatched_id, row["import_id"], kind=kind, target=target, by=by
        )
        await repo.add_presence(
            conn, row["import_id"], repo.target_key(kind, target), row["seconds"]
        )
        if kind == repo.ATTENDEE:
            event = await reads.event_times(conn, row["calendly_event_id"])
            await apply_event_marks(unit, rules, event)
        linked = await reads.unmatched_for_update(conn, unmatched_id)
    if courier is not None:
        await courier.send_outbox(unit.outbox_ids)
    assert linked is not None
    linked.pop("import_id")
    return _with_minutes(linked)


def _wrong_target(field: str, what: str, where: str, row: dict[str, Any]) -> Invalid:
    owner = row["calendly_event_id"] if where == "event" else row["course_id"]
    problem = (
        f"{what} is not one of the {where} this participant's meeting instance belongs to "
        f"({where} {owner})"
        if owner is not None
        else f"this participant's meeting instance belongs to no {where}"
    )
    return Invalid("the request is invalid", [{"field": field, "problem": problem}])
