"""Importing who attended a Zoom meeting instance (CONTRACT §7).

`meeting.ended` (inbox), the nightly sweep and `webinar-sync attendance import` all end in
`request_import` (`service/services/attendance_import.py`): an `attendance_imports` row for
the instance UUID and one outbox command `import_attendance` on the subject
`zoom-instance:{uuid}`. The command reads every page of `/past_meetings/{uuid}/participants`
through the shared Zoom client (rate limiter medium, integration log, failure classes);
`apply_participants` applies it in one transaction.

Zoom fills the list late: "not found" or an empty list is waited for (a deferral, which spends
no attempt) with growing pauses, until two hours after the meeting ended; then the import
fails, goes to the dead letters and can be replayed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from service.adapters import attendance as repo
from service.adapters.zoom import ZoomDeferred, ZoomParticipantsNotReady
from service.domain.failure_policy import Deferred, Terminal
from service.domain.subjects import Subject, SubjectKind
from service.domain.zoom_attendance import (
    ImportStatus,
    parse_instant,
    parse_participant,
    unknown_meeting_wait,
)
from service.services.attendance_import import (
    IMPORT_ATTENDANCE,
    apply_participants,
    request_import,
)
from service.services.attendance_marks import attendance_rules
from service.services.unit_of_work import UnitOfWork
from service.workers.outbox import CommandTable, OutboxCommand, OutboxItem
from service.workers.runtime import WorkerRuntime
from service.workers.zoom_commands.common import zoom_client

NOT_READY_FOR = timedelta(hours=2)
FIRST_WAIT = timedelta(seconds=5)
LONGEST_WAIT = timedelta(minutes=10)


async def handle_meeting_ended(unit: UnitOfWork, envelope: dict[str, Any]) -> None:
    """`meeting.ended`: schedule the import of that instance if the meeting is ours."""
    payload = envelope.get("payload")
    obj = payload.get("object") if isinstance(payload, dict) else None
    if not isinstance(obj, dict):
        raise Terminal("meeting.ended without payload.object")
    try:
        meeting_id = int(str(obj.get("id")))
    except ValueError:
        raise Terminal("meeting.ended without a meeting id (payload.object.id)") from None
    uuid = obj.get("uuid")
    if not isinstance(uuid, str) or not uuid:
        raise Terminal("meeting.ended without an instance uuid (payload.object.uuid)")
    if not await repo.meeting_is_ours(unit.conn, meeting_id):
        now = datetime.now(UTC)
        wait = unknown_meeting_wait(_sent_at(envelope), now)
        if wait is not None:
            raise Deferred(now + wait, f"meeting {meeting_id} is not known (yet)")
        return
    started, ended = parse_instant(obj.get("start_time")), parse_instant(obj.get("end_time"))
    await request_import(
        unit, meeting_id, uuid=uuid, started_at=started, ended_at=ended, cause="meeting.ended"
    )


def _sent_at(envelope: dict[str, Any]) -> datetime | None:
    """When Zoom sent the notification (`event_ts`, milliseconds since the epoch)."""
    event_ts = envelope.get("event_ts")
    if not isinstance(event_ts, int) or isinstance(event_ts, bool) or event_ts <= 0:
        return None
    try:
        return datetime.fromtimestamp(event_ts / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _wait(checks: int) -> timedelta:
    wait: timedelta = FIRST_WAIT * 2 ** min(8, max(0, checks - 1))
    return min(LONGEST_WAIT, wait)


async def _not_ready(runtime: WorkerRuntime, row: Any, reason: str) -> NoReturn:
    """Wait for Zoom (a deferral) while the meeting ended less than two hours ago."""
    async with runtime.pool.acquire() as conn:
        checks = await repo.not_ready(conn, row["id"], reason)
    since = row["ended_at"] or row["requested_at"]
    now = datetime.now(UTC)
    if now - since >= NOT_READY_FOR:
        raise Terminal(f"Zoom has no participants for instance {row['uuid']} 2 h after: {reason}")
    raise ZoomDeferred(now + _wait(checks), f"participants not ready yet: {reason}")


async def import_attendance(runtime: WorkerRuntime, item: OutboxItem) -> None:
    uuid = Subject.parse(item.subject, SubjectKind.ZOOM_INSTANCE).key
    async with runtime.pool.acquire() as conn:
        row = await repo.load_import(conn, uuid)
    if row is None or row["status"] == ImportStatus.DONE:
        return
    zoom = zoom_client(runtime)
    cause = {"meeting_id": str(row["meeting_id"]), "uuid": uuid, "outbox_id": str(item.id)}
    try:
        answer = await zoom.list_past_participants(uuid, cause=cause)
    except ZoomParticipantsNotReady as error:
        await _not_ready(runtime, row, str(error))
    if not answer.rows:
        await _not_ready(runtime, row, "Zoom listed no participants")
    parsed = [p for p in (parse_participant(raw) for raw in answer.rows) if p is not None]
    rules = attendance_rules(runtime.settings)
    outbox_ids = await apply_participants(runtime.pool, uuid, parsed, answer.pages, rules)
    await runtime.courier.send_outbox(outbox_ids)


async def import_dead(unit: UnitOfWork, item: OutboxItem, error: Exception) -> None:
    uuid = Subject.parse(item.subject, SubjectKind.ZOOM_INSTANCE).key
    await repo.mark_failed(unit.conn, uuid, str(error)[:2000])
    await unit.notify(
        "attendance_import_failed",
        f"Attendance of Zoom meeting instance {uuid} could not be imported: {error}",
        subject=item.subject,
    )


def attendance_commands() -> CommandTable:
    return {IMPORT_ATTENDANCE: OutboxCommand(import_attendance, import_dead)}
