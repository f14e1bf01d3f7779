"""The admin's attendee actions as transactions: add by hand, edit, mark attendance.

Each runs in one transaction and ends by moving the pipeline of every teacher whose linked
attendees it touched (`refresh_pipeline`), so a teacher's status never lags an admin's change.
Attendance is all or nothing: one unknown id refuses the whole request before anything is
written.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from service.adapters import attendee_admin, teachers, webinars
from service.adapters.broker import Courier
from service.config import Settings
from service.domain.attendance import AttendanceUpdate
from service.services.errors import Conflict, Invalid, NotFound
from service.services.no_show_queue import attendance_changed
from service.services.pipeline import refresh_pipeline
from service.services.unit_of_work import UnitOfWork

BIGINT_MAX = 2**63 - 1


async def add_manual(
    pool: asyncpg.Pool, event_id: int, name: str, email: str, by: str
) -> dict[str, Any]:
    async with pool.acquire() as conn, conn.transaction():
        unit = UnitOfWork(conn)
        await unit.lock(f"manual-attendees:{event_id}")  # two adds of one email: one wins
        if not await attendee_admin.event_exists(conn, event_id):
            raise NotFound(f"no such event: {event_id}")
        existing = await attendee_admin.active_with_email(conn, event_id, email)
        if existing is not None:
            raise Conflict(
                f"{email} is already an active attendee of event {event_id} (attendee {existing})",
            )
        attendee_id = await attendee_admin.create_manual(conn, event_id, name, email)
        user_id = await teachers.link_by_email(conn, attendee_id)
        if user_id is not None:
            await refresh_pipeline(conn, user_id, f"attendee {attendee_id} added by {by}")
        [created] = await webinars.attendees_by_id(conn, [attendee_id])
    return created


async def edit(
    pool: asyncpg.Pool, attendee_id: int, changes: dict[str, Any], by: str
) -> dict[str, Any]:
    async with pool.acquire() as conn, conn.transaction():
        unit = UnitOfWork(conn)
        for key in await attendee_admin.lock_keys(conn, [attendee_id]):
            await unit.lock(key)
        before = (await attendee_admin.load_for_update(conn, [attendee_id])).get(attendee_id)
        if before is None:
            raise NotFound(f"no such attendee: {attendee_id}")
        user_id = changes.get("user_id")
        if user_id is not None and not await attendee_admin.user_exists(conn, user_id):
            raise Invalid(
                "the request is invalid",
                [{"field": "user_id", "problem": f"no user with id {user_id}"}],
            )
        await attendee_admin.update_fields(conn, attendee_id, changes)
        linked = changes["user_id"] if "user_id" in changes else before["user_id"]
        if linked is None and "user_id" not in changes and "email" in changes:
            linked = await teachers.link_by_email(conn, attendee_id)  # a corrected email
        trigger = f"attendee {attendee_id} edited by {by}"
        for teacher in sorted({u for u in (before["user_id"], linked) if u is not None}):
            await refresh_pipeline(conn, teacher, trigger)
        [edited] = await webinars.attendees_by_id(conn, [attendee_id])
    return edited


async def mark_attendance(
    pool: asyncpg.Pool,
    courier: Courier,
    settings: Settings,
    updates: tuple[AttendanceUpdate, ...],
    by: str,
) -> list[dict[str, Any]]:
    """Set the marks by hand (source `manual`), as the API and the UI make them. When the
    settings push no-shows (`push_no_shows`), the Calendly no-shows follow through the outbox,
    sent at once with `courier` (else by the relay)."""
    unit, marked = await _mark(pool, updates, by, push_no_shows=settings.push_no_shows)
    await courier.send_outbox(unit.outbox_ids)
    return marked


async def _mark(
    pool: asyncpg.Pool, updates: tuple[AttendanceUpdate, ...], by: str, *, push_no_shows: bool
) -> tuple[UnitOfWork, list[dict[str, Any]]]:
    # An id beyond bigint cannot exist; keep it out of the query and report it as unknown.
    ids = [update.attendee_id for update in updates if update.attendee_id <= BIGINT_MAX]
    async with pool.acquire() as conn, conn.transaction():
        unit = UnitOfWork(conn)
        for key in await attendee_admin.lock_keys(conn, ids):
            await unit.lock(key)
        found = await attendee_admin.load_for_update(conn, ids)
        missing = [
            {
                "field": f"updates[{index}].attendee_id",
                "problem": f"no attendee {update.attendee_id}",
            }
            for index, update in enumerate(updates)
            if update.attendee_id not in found
        ]
        if missing:
            raise Invalid("nothing was changed: some attendees do not exist", missing)
        if not updates:
            return unit, []
        await attendee_admin.set_attendance(
            conn, {update.attendee_id: update.attended for update in updates}, by
        )
        trigger = f"attendance set by {by}"
        for teacher in sorted({row["user_id"] for row in found.values() if row["user_id"]}):
            await refresh_pipeline(conn, teacher, trigger)
        if push_no_shows:
            await attendance_changed(unit, ids)
        return unit, await webinars.attendees_by_id(conn, ids)
