"""The meeting commands: create or update a course's Zoom meeting (adopting a marked one) or
delete it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from service.adapters.courses import course_repo, meeting_repo
from service.adapters.zoom import (
    ZoomAmbiguous,
    ZoomClient,
    ZoomError,
    ZoomMeetingEnded,
    ZoomNotFound,
)
from service.domain.booking_events import Course, CourseStatus
from service.domain.course_sync import is_zoom_synced
from service.domain.hosting import choose_host, host_zoom_user
from service.domain.subjects import Subject, SubjectKind
from service.domain.zoom_meeting import (
    CourseNotReadyForZoom,
    MeetingSpec,
    create_body,
    expected_occurrence_dates,
    meeting_changes,
    meeting_shape,
)
from service.domain.zoom_objects import SyncState
from service.services.course_decisions import (
    course_subject,
    decide_course,
    spec_from_body,
)
from service.services.unit_of_work import UnitOfWork
from service.workers.outbox import OutboxItem
from service.workers.runtime import WorkerRuntime
from service.workers.zoom_commands.common import notify_refusal, zoom_client, zoom_errors
from service.workers.zoom_commands.lookups import (
    find_course_meetings,
)


async def _after_change(runtime: WorkerRuntime, course_id: str, cause: dict[str, str]) -> None:
    """Re-decide the course once Zoom changed, so the follow-up work (registrants) is queued."""
    async with runtime.pool.acquire() as conn:
        unit = UnitOfWork(conn)
        async with conn.transaction():
            await unit.lock(course_subject(course_id))
            await decide_course(unit, course_id, cause)
    await runtime.courier.send_outbox(unit.outbox_ids)


@dataclass(frozen=True)
class _EarlierCreate:
    """A create that was sent but whose answer never arrived: the meeting may exist."""

    host: str
    body: dict[str, Any] | None  # what was sent; None: not recorded (sent before we kept it)


@dataclass(frozen=True)
class _MeetingWork:
    course: Course
    spec: MeetingSpec
    meeting_id: int | None  # None: to be created (or found, see `earlier`)
    changes: dict[str, object]
    host: str = ""  # for a create: the host it is made on
    earlier: _EarlierCreate | None = None


@dataclass(frozen=True)
class _Made:
    """The meeting a create made (or the lost create had made): Zoom's answer and what we sent."""

    host: str
    body: dict[str, Any]
    answer: dict[str, Any]
    strays: list[int]  # other meetings carrying the course's marker (never made by us twice)


async def sync_meeting(runtime: WorkerRuntime, item: OutboxItem) -> None:
    """Create the course's meeting if it has none, else update what Zoom sees if it changed."""
    course_id = Subject.parse(item.subject, SubjectKind.COURSE).key
    zoom = zoom_client(runtime)
    work = await _claim_meeting_work(runtime, course_id)
    if work is None:
        return
    cause = {"course_id": course_id, "outbox_id": str(item.id)}
    body = work.spec.to_zoom_body()
    try:
        if work.meeting_id is None:
            made = await _find_or_create(runtime, zoom, work, cause)
        else:
            await zoom.update_meeting(work.meeting_id, work.changes, cause=cause)
    except ZoomError as error:
        await _release_meeting(runtime, course_id, error)
        raise
    async with runtime.pool.acquire() as conn, conn.transaction():
        if work.meeting_id is not None:
            await meeting_repo.meeting_updated(conn, course_id, body)
        else:
            unit = UnitOfWork(conn)
            await meeting_repo.meeting_created(
                conn,
                course_id,
                meeting_id=int(made.answer["id"]),
                host=made.host,
                join_url=made.answer.get("join_url"),
                spec=made.body,
                occurrences=made.answer.get("occurrences") or [],
            )
            await _check_occurrences(unit, course_id, spec_from_body(made.body), made.answer)
            if made.strays:
                await _report_strays(unit, course_id, int(made.answer["id"]), made.strays)
    await _after_change(runtime, course_id, item.cause)


async def _claim_meeting_work(runtime: WorkerRuntime, course_id: str) -> _MeetingWork | None:
    """Under the course lock: what to send now, with the meeting marked in flight; None: nothing.

    A create records what it sends (host, body) before sending it; finding that record with no
    meeting id means an earlier create's answer was lost (or its worker died): the meeting is
    then looked up by its marker before anything is created.
    """
    async with runtime.pool.acquire() as conn, conn.transaction():
        unit = UnitOfWork(conn)
        await unit.lock(course_subject(course_id))
        stored = await course_repo.load_course(conn, course_id)
        meeting = await meeting_repo.load_meeting(conn, course_id)
        course = stored.course if stored is not None else None
        if course is None or not is_zoom_synced(course) or meeting is None:
            return None
        if meeting.state == SyncState.FAILED:
            return None
        try:
            spec = meeting_shape(course)
        except CourseNotReadyForZoom:
            return None  # changed since the decision; the new decision reported why
        meeting_id = meeting.live_id
        if meeting_id is None:
            host = choose_host(course)
            earlier = _earlier_create(meeting, host)
            if earlier is None:
                sent = create_body(spec, course_id)
                await meeting_repo.meeting_create_sent(conn, course_id, host=host, spec=sent)
            else:
                await meeting_repo.set_meeting_state(conn, course_id, SyncState.IN_FLIGHT)
            return _MeetingWork(course, spec, None, {}, host, earlier)
        if meeting.spec is None:
            return None
        changes = meeting_changes(spec_from_body(meeting.spec), spec)
        if not changes:
            return None
        await meeting_repo.set_meeting_state(conn, course_id, SyncState.IN_FLIGHT)
        return _MeetingWork(course, spec, meeting_id, changes)


def _earlier_create(meeting: meeting_repo.MeetingRow, host: str) -> _EarlierCreate | None:
    """The create sent before whose outcome is unknown, if any."""
    if meeting.meeting_id is not None:
        return None  # a deleted meeting's row: that create's outcome is known
    if meeting.spec is not None:
        return _EarlierCreate(meeting.host or host, meeting.spec)
    if meeting.state == SyncState.IN_FLIGHT:
        return _EarlierCreate(host, None)
    return None


async def _find_or_create(
    runtime: WorkerRuntime, zoom: ZoomClient, work: _MeetingWork, cause: dict[str, str]
) -> _Made:
    """Adopt the meeting a lost create made; create one only when Zoom holds none."""
    course_id = work.course.id
    body = create_body(work.spec, course_id)
    if work.earlier is not None:
        found = await find_course_meetings(zoom, work.earlier.host, course_id, cause)
        if found:
            answer = await zoom.get_meeting(found[0], show_previous_occurrences=True, cause=cause)
            sent = work.earlier.body or body
            return _Made(work.earlier.host, sent, answer, found[1:])
        async with runtime.pool.acquire() as conn, conn.transaction():
            await UnitOfWork(conn).lock(course_subject(course_id))
            await meeting_repo.meeting_create_sent(conn, course_id, host=work.host, spec=body)
    try:
        created = await zoom.create_meeting(work.host, body, cause=cause)
    except ZoomError as error:
        if not isinstance(error, ZoomAmbiguous):
            async with runtime.pool.acquire() as conn:
                await meeting_repo.meeting_create_refused(conn, course_id)
        raise
    return _Made(work.host, body, created, [])


async def _report_strays(unit: UnitOfWork, course_id: str, adopted: int, strays: list[int]) -> None:
    """More than one meeting carries the course's marker (copied by hand in Zoom?)."""
    message = (
        f"Course {course_id}: Zoom holds {len(strays) + 1} meetings marked for this course; "
        f"webinar-sync uses {adopted} (the oldest); delete "
        + ", ".join(str(s) for s in strays)
        + " in Zoom if nobody needs them"
    )
    await unit.notify(
        "sync_failed",
        message,
        subject=course_subject(course_id),
        details={"errors": [{"code": "meeting_duplicates", "message": message}]},
    )


async def _release_meeting(runtime: WorkerRuntime, course_id: str, error: ZoomError) -> None:
    """Zoom answered with a refusal or a limit: nothing was applied, so it is not in flight."""
    if isinstance(error, ZoomAmbiguous):
        return
    async with runtime.pool.acquire() as conn:
        await meeting_repo.set_meeting_state(conn, course_id, SyncState.PENDING)


async def _check_occurrences(
    unit: UnitOfWork, course_id: str, spec: MeetingSpec, created: dict[str, Any]
) -> None:
    """Zoom must hold the meeting on exactly the session dates, or a person must know."""
    expected = expected_occurrence_dates(spec)
    actual = _zoom_dates(created, ZoneInfo(spec.timezone))
    if actual == expected:
        return
    errors = [
        {
            "code": "occurrences_mismatch",
            "message": "Zoom scheduled the meeting on "
            + (", ".join(f"{d:%d.%m.%Y}" for d in actual) or "no dates")
            + ", but the sessions are on "
            + ", ".join(f"{d:%d.%m.%Y}" for d in expected),
        }
    ]
    await meeting_repo.meeting_failed(unit.conn, course_id, errors)
    await unit.notify(
        "sync_failed",
        f"Course {course_id}: {errors[0]['message']}",
        subject=course_subject(course_id),
        details={"errors": errors},
    )


def _zoom_dates(meeting: dict[str, Any], zone: ZoneInfo) -> list[date]:
    starts = [o.get("start_time") for o in meeting.get("occurrences") or []] or [
        meeting.get("start_time")
    ]
    return sorted(
        datetime.fromisoformat(str(s).replace("Z", "+00:00")).astimezone(zone).date()
        for s in starts
        if s
    )


async def delete_meeting(runtime: WorkerRuntime, item: OutboxItem) -> None:
    """Delete the cancelled course's meeting; one already gone or ended counts as deleted.

    With a create whose answer was lost the meeting id is unknown: the marked meeting (if the
    create made one) is looked up and deleted, so a cancelled course leaves no stray meeting.
    """
    course_id = Subject.parse(item.subject, SubjectKind.COURSE).key
    zoom = zoom_client(runtime)
    cause = {"course_id": course_id}
    async with runtime.pool.acquire() as conn, conn.transaction():
        await UnitOfWork(conn).lock(course_subject(course_id))
        stored = await course_repo.load_course(conn, course_id)
        meeting = await meeting_repo.load_meeting(conn, course_id)
        if stored is None or stored.status is not CourseStatus.CANCELLED or meeting is None:
            return
        meeting_id = meeting.live_id
        earlier = None
        if meeting_id is None and not meeting.deleted:
            host = meeting.host or (host_zoom_user(stored.course) if stored.course else None)
            earlier = _earlier_create(meeting, host) if host else None
        if meeting_id is None and earlier is None:
            return
        await meeting_repo.set_meeting_state(conn, course_id, SyncState.IN_FLIGHT)
    try:
        if meeting_id is not None:
            doomed = [meeting_id]
        else:
            assert earlier is not None
            doomed = await find_course_meetings(zoom, earlier.host, course_id, cause)
        for each in doomed:
            await _delete_in_zoom(zoom, each, cause)
    except ZoomError as error:
        await _release_meeting(runtime, course_id, error)
        raise
    async with runtime.pool.acquire() as conn, conn.transaction():
        await meeting_repo.meeting_deleted(conn, course_id)
        await meeting_repo.set_meeting_status(conn, course_id, "ok", [])


async def _delete_in_zoom(zoom: ZoomClient, meeting_id: int, cause: dict[str, str]) -> None:
    with contextlib.suppress(ZoomNotFound, ZoomMeetingEnded):  # gone or ended: deleted
        await zoom.delete_meeting(meeting_id, cause=cause)


async def meeting_command_dead(unit: UnitOfWork, item: OutboxItem, error: Exception) -> None:
    course_id = Subject.parse(item.subject, SubjectKind.COURSE).key
    errors = zoom_errors(error, "Zoom refused the meeting")
    await meeting_repo.meeting_failed(unit.conn, course_id, errors)
    await notify_refusal(unit, item, f"Course {course_id}", errors)
