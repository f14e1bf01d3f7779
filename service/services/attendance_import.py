"""Importing who attended a Zoom meeting instance (CONTRACT §7), the use cases: queue the import
of an instance, and apply Zoom's participant list to it (the Zoom reading is
`service/workers/attendance_import.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from service.adapters import attendance as repo
from service.domain.subjects import Subject, SubjectKind
from service.domain.zoom_attendance import (
    AttendanceRules,
    ImportStatus,
    ParticipantRow,
    match_instance,
)
from service.services.attendance_marks import apply_event_marks
from service.services.unit_of_work import UnitOfWork

IMPORT_ATTENDANCE = "import_attendance"


def instance_subject(uuid: str) -> str:
    return str(Subject(SubjectKind.ZOOM_INSTANCE, uuid))


async def request_import(
    unit: UnitOfWork,
    meeting_id: int,
    *,
    uuid: str,
    started_at: datetime | None,
    ended_at: datetime | None,
    cause: str,
) -> bool:
    """Queue the import of one instance unless it is done; True when queued."""
    _, status = await repo.register_instance(unit.conn, meeting_id, uuid, started_at, ended_at)
    if status == ImportStatus.DONE:
        return False
    await repo.requeue_import(unit.conn, uuid)
    await unit.add_command(
        IMPORT_ATTENDANCE,
        instance_subject(uuid),
        cause={"meeting_id": str(meeting_id), "uuid": uuid, "trigger": cause},
    )
    return True


async def apply_participants(
    pool: asyncpg.Pool,
    uuid: str,
    parsed: Sequence[ParticipantRow],
    pages: int,
    rules: AttendanceRules,
) -> list[int]:
    """Match the instance's participants with its course's bookings or its Calendly event's
    attendees and store the result (an event's marks follow); returns the outbox ids to send.
    An import done meanwhile is left as it is."""
    async with pool.acquire() as conn, conn.transaction():
        unit = UnitOfWork(conn)
        await unit.lock(instance_subject(uuid))
        row = await repo.load_import(conn, uuid, for_update=True)
        if row is None or row["status"] == ImportStatus.DONE:
            return []
        started = row["started_at"] or min((p.join_time for p in parsed), default=None)
        course_id = await repo.course_of_meeting(conn, row["meeting_id"])
        event = None
        if course_id is None and started is not None:
            event = await repo.event_for_instance(conn, row["meeting_id"], started)
        if course_id is not None:
            registered = await repo.course_registrations(conn, course_id)
        elif event is not None:
            registered = await repo.event_registrations(conn, event["id"])
        else:
            registered = []
        result = match_instance(parsed, registered)
        await repo.set_started_at(conn, row["id"], started)
        await repo.save_result(
            conn,
            row["id"],
            course_id=course_id,
            event_id=event["id"] if event else None,
            seconds=result.seconds,
            unmatched=result.unmatched,
            participants=result.participants,
            pages=pages,
        )
        if event is not None:
            await apply_event_marks(unit, rules, event)
    return unit.outbox_ids
