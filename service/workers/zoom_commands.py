"""The Zoom commands of the outbox, as business rules: bring Zoom in line with what we want now.

Each command reads the *current* wish when it runs (the decision that queued it may be stale),
so running one twice, late, or after a newer one is harmless. Zoom calls are not blindly
repeatable (docs/architecture.md: "Zoom calls are not blindly
repeated"): before a call the object is marked `in_flight`; a command that finds
it so (an answer was lost, or a worker died mid-call) looks it up in Zoom before acting again.
A registrant is found by email in the registrant lists, because an add spends one of that
person's three adds a day. A meeting is found by its course's marker (first line of its
`agenda`) in the host's meeting list: a create records what it sends before sending it, and
a command that finds that record without a meeting id adopts the marked meeting, creating one
only when Zoom holds none — never a second meeting for a course.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from service.adapters.courses import booking_repo, course_repo, meeting_repo, registrant_repo
from service.adapters.courses.errors import Errors
from service.adapters.zoom import (
    RegistrantAction,
    ZoomAmbiguous,
    ZoomClient,
    ZoomDeferred,
    ZoomError,
    ZoomTerminal,
)
from service.domain.booking_events import Booking, Course
from service.domain.course_sync import is_zoom_synced
from service.domain.hosting import choose_host, host_zoom_user
from service.domain.registrants import RegistrantState, registrant_body
from service.domain.zoom_meeting import (
    CourseNotReadyForZoom,
    MeetingSpec,
    carries_marker,
    create_body,
    expected_occurrence_dates,
    meeting_changes,
    meeting_shape,
)
from service.services.course_decisions import (
    DELETE_MEETING,
    SYNC_MEETING,
    SYNC_REGISTRANT,
    RegistrantGoal,
    course_subject,
    decide_course,
    registrant_goal,
    registrant_needs_call,
    spec_from_body,
)
from service.services.unit_of_work import UnitOfWork
from service.workers.outbox import CommandTable, OutboxCommand, OutboxItem
from service.workers.runtime import WorkerRuntime

CREDENTIALS_RETRY = timedelta(minutes=5)
ZOOM_NOT_FOUND = (3001,)  # "Meeting {id} is not found or has expired"
ZOOM_MEETING_ENDED = 3007


def zoom_commands() -> CommandTable:
    return {
        SYNC_MEETING: OutboxCommand(sync_meeting, meeting_command_dead),
        DELETE_MEETING: OutboxCommand(delete_meeting, meeting_command_dead),
        SYNC_REGISTRANT: OutboxCommand(sync_registrant, registrant_command_dead),
    }


def zoom_client(runtime: WorkerRuntime) -> ZoomClient:
    """The client, or a deferral: with no credentials Zoom work waits, nothing is lost."""
    if runtime.zoom is None:
        raise ZoomDeferred(
            datetime.now(UTC) + CREDENTIALS_RETRY,
            "Zoom credentials are not configured (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, "
            "ZOOM_CLIENT_SECRET); Zoom work waits until they are",
        )
    return runtime.zoom


async def _after_change(runtime: WorkerRuntime, course_id: str, cause: dict[str, str]) -> None:
    """Re-decide the course once Zoom changed, so the follow-up work (registrants) is queued."""
    async with runtime.pool.acquire() as conn:
        unit = UnitOfWork(conn)
        async with conn.transaction():
            await unit.lock(course_subject(course_id))
            await decide_course(unit, course_id, cause)
    await runtime.courier.send_outbox(unit.outbox_ids)


# -- meetings --------------------------------------------------------------------------------


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
    course_id = item.subject.removeprefix("course:")
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
        if meeting.state == "failed":
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
                await meeting_repo.set_meeting_state(conn, course_id, "in_flight")
            return _MeetingWork(course, spec, None, {}, host, earlier)
        if meeting.spec is None:
            return None
        changes = meeting_changes(spec_from_body(meeting.spec), spec)
        if not changes:
            return None
        await meeting_repo.set_meeting_state(conn, course_id, "in_flight")
        return _MeetingWork(course, spec, meeting_id, changes)


def _earlier_create(meeting: meeting_repo.MeetingRow, host: str) -> _EarlierCreate | None:
    """The create sent before whose outcome is unknown, if any."""
    if meeting.meeting_id is not None:
        return None  # a deleted meeting's row: that create's outcome is known
    if meeting.spec is not None:
        return _EarlierCreate(meeting.host or host, meeting.spec)
    if meeting.state == "in_flight":
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


async def find_course_meetings(
    zoom: ZoomClient, host: str, course_id: str, cause: dict[str, str]
) -> list[int]:
    """The ids of the host's meetings carrying the course's marker, oldest first."""
    marked: dict[int, str] = {}
    for listed in await zoom.list_meetings(host, cause=cause):
        if carries_marker(listed.get("agenda"), course_id) and listed.get("id") is not None:
            marked.setdefault(int(listed["id"]), str(listed.get("created_at") or ""))
    return sorted(marked, key=lambda meeting_id: (marked[meeting_id], meeting_id))


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
        await meeting_repo.set_meeting_state(conn, course_id, "pending")


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
    course_id = item.subject.removeprefix("course:")
    zoom = zoom_client(runtime)
    cause = {"course_id": course_id}
    async with runtime.pool.acquire() as conn, conn.transaction():
        await UnitOfWork(conn).lock(course_subject(course_id))
        stored = await course_repo.load_course(conn, course_id)
        meeting = await meeting_repo.load_meeting(conn, course_id)
        if stored is None or stored.status != "cancelled" or meeting is None:
            return
        meeting_id = meeting.live_id
        earlier = None
        if meeting_id is None and not meeting.deleted:
            host = meeting.host or (host_zoom_user(stored.course) if stored.course else None)
            earlier = _earlier_create(meeting, host) if host else None
        if meeting_id is None and earlier is None:
            return
        await meeting_repo.set_meeting_state(conn, course_id, "in_flight")
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
    try:
        await zoom.delete_meeting(meeting_id, cause=cause)
    except ZoomTerminal as error:
        if error.code not in (*ZOOM_NOT_FOUND, ZOOM_MEETING_ENDED) and error.status != 404:
            raise


async def _notify_refusal(unit: UnitOfWork, item: OutboxItem, what: str, errors: Errors) -> None:
    await unit.notify(
        "sync_failed",
        f"{what}: {errors[0]['message']}",
        subject=item.subject,
        details={"errors": errors, "command": item.command},
    )


async def meeting_command_dead(unit: UnitOfWork, item: OutboxItem, error: Exception) -> None:
    course_id = item.subject.removeprefix("course:")
    errors = _zoom_errors(error, "Zoom refused the meeting")
    await meeting_repo.meeting_failed(unit.conn, course_id, errors)
    await _notify_refusal(unit, item, f"Course {course_id}", errors)


# -- registrants -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _RegistrantWork:
    booking: Booking
    goal: RegistrantGoal
    meeting_id: int
    known: registrant_repo.RegistrantRow | None  # what we recorded for this meeting; None: nothing
    unsure: bool  # an earlier call's outcome is unknown: look it up first


@dataclass(frozen=True)
class RegistrantInZoom:
    """A registrant as Zoom holds it (also used for Calendly invitees)."""

    id: str
    email: str
    status: str  # approved | cancelled | pending
    join_url: str | None


async def sync_registrant(runtime: WorkerRuntime, item: OutboxItem) -> None:
    """Make the booking's registrant approved or cancelled, as the booking now says."""
    booking_id = item.subject.removeprefix("booking:")
    zoom = zoom_client(runtime)
    work = await _claim_registrant_work(runtime, booking_id)
    if work is None:
        return
    cause = {
        "course_id": work.booking.course_id,
        "booking_id": booking_id,
        "outbox_id": str(item.id),
    }
    try:
        found = await _bring_in_line(zoom, work, cause)
    except ZoomError as error:
        if not isinstance(error, ZoomAmbiguous):
            async with runtime.pool.acquire() as conn:
                await conn.execute(
                    "UPDATE zoom_registrants SET state = 'pending' WHERE booking_id = $1",
                    booking_id,
                )
        raise
    async with runtime.pool.acquire() as conn:
        await registrant_repo.registrant_known(
            conn,
            booking_id,
            registrant_id=found.id if found else None,
            email=found.email if found else work.goal.email,
            join_url=found.join_url if found else None,
            zoom_status=found.status if found else None,
        )


async def _claim_registrant_work(runtime: WorkerRuntime, booking_id: str) -> _RegistrantWork | None:
    async with runtime.pool.acquire() as conn, conn.transaction():
        unit = UnitOfWork(conn)
        course_id = await booking_repo.booking_course_id(conn, booking_id)
        if course_id is None:
            return None
        await unit.lock(course_subject(course_id))
        booking = await booking_repo.load_booking(conn, booking_id)
        stored = await course_repo.load_course(conn, course_id)
        meeting = await meeting_repo.load_meeting(conn, course_id)
        if booking is None or stored is None or stored.course is None or meeting is None:
            return None
        meeting_id = meeting.live_id
        if meeting_id is None or meeting.host is None:
            return None  # the meeting's creation re-decides its registrants
        bookings = await booking_repo.load_bookings(conn, course_id)
        row = await registrant_repo.load_registrant(conn, booking_id)
        goal = registrant_goal(booking, stored.course, meeting.host, bookings)
        if not registrant_needs_call(goal, row, meeting_id):
            return None
        known = row if row is not None and row.meeting_id == meeting_id else None
        unsure = known is not None and known.state == "in_flight"
        email = known.email if known is not None and known.email else goal.email
        if email is None:
            return None  # never registered, and Zoom can't take the address
        await registrant_repo.registrant_in_flight(conn, booking, meeting_id, email)
        return _RegistrantWork(booking, goal, meeting_id, known, unsure)


async def _bring_in_line(
    zoom: ZoomClient, work: _RegistrantWork, cause: dict[str, str]
) -> RegistrantInZoom | None:
    """The Zoom calls for one registrant; returns what Zoom holds afterwards (None: nothing)."""
    known = work.known
    current: RegistrantInZoom | None = None
    if work.unsure and known is not None and known.email:
        current = await find_registrant(zoom, work.meeting_id, known.email, cause)
    elif known is not None and known.registrant_id and known.email and known.zoom_status:
        current = RegistrantInZoom(
            known.registrant_id, known.email, known.zoom_status, known.join_url
        )
    wanted = work.goal.email if work.goal.state is RegistrantState.APPROVED else None
    if current is not None and current.status == "approved" and current.email != wanted:
        await set_registrant_status(zoom, work.meeting_id, "cancel", current, cause)
        current = RegistrantInZoom(current.id, current.email, "cancelled", current.join_url)
    if wanted is None:
        return current
    if current is not None and current.email == wanted:
        if current.status != "approved":
            await set_registrant_status(zoom, work.meeting_id, "approve", current, cause)
        approved = RegistrantInZoom(current.id, current.email, "approved", current.join_url)
        return await with_join_url(zoom, work.meeting_id, approved, cause)
    return await _add(zoom, work, wanted, cause)


async def _add(
    zoom: ZoomClient, work: _RegistrantWork, email: str, cause: dict[str, str]
) -> RegistrantInZoom:
    try:
        added = await zoom.add_registrant(
            work.meeting_id, registrant_body(work.booking), cause=cause
        )
    except ZoomTerminal as error:
        # Zoom keeps a cancelled registrant as denied and refuses to add it again: approve it.
        existing = (
            await find_registrant(zoom, work.meeting_id, email, cause)
            if error.code == 3000
            else None
        )
        if existing is None:
            raise
        await set_registrant_status(zoom, work.meeting_id, "approve", existing, cause)
        approved = RegistrantInZoom(existing.id, email, "approved", existing.join_url)
        return await with_join_url(zoom, work.meeting_id, approved, cause)
    found = RegistrantInZoom(str(added["registrant_id"]), email, "approved", added.get("join_url"))
    return await with_join_url(zoom, work.meeting_id, found, cause)


async def with_join_url(
    zoom: ZoomClient, meeting_id: int, found: RegistrantInZoom, cause: dict[str, str]
) -> RegistrantInZoom:
    """With manual approval Zoom may leave `join_url` out of the add; the registrant has it."""
    if found.join_url:
        return found
    registrant = await zoom.get_registrant(meeting_id, found.id, cause=cause)
    return RegistrantInZoom(found.id, found.email, found.status, registrant.get("join_url"))


async def set_registrant_status(
    zoom: ZoomClient,
    meeting_id: int,
    action: RegistrantAction,
    found: RegistrantInZoom,
    cause: dict[str, str],
) -> None:
    target = [{"id": found.id, "email": found.email}]
    await zoom.update_registrant_status(meeting_id, action, target, cause=cause)


async def find_registrant(
    zoom: ZoomClient, meeting_id: int, email: str, cause: dict[str, str]
) -> RegistrantInZoom | None:
    """The registrant with this email, approved or cancelled (Zoom lists those as denied)."""
    for zoom_status, ours in (("approved", "approved"), ("denied", "cancelled")):
        for registrant in await zoom.list_registrants(meeting_id, zoom_status, cause=cause):
            if str(registrant.get("email", "")).casefold() == email.casefold():
                return RegistrantInZoom(
                    str(registrant["id"]), email, ours, registrant.get("join_url")
                )
    return None


async def registrant_command_dead(unit: UnitOfWork, item: OutboxItem, error: Exception) -> None:
    booking_id = item.subject.removeprefix("booking:")
    errors = _zoom_errors(error, "Zoom refused the registrant")
    await registrant_repo.registrant_failed(unit.conn, booking_id, errors)
    await _notify_refusal(unit, item, f"Booking {booking_id}", errors)


def _zoom_errors(error: Exception, what: str) -> Errors:
    """Zoom's own code and message, so a person can look them up."""
    if isinstance(error, ZoomError):
        code = f"zoom_{error.code}" if error.code is not None else f"zoom_http_{error.status}"
        return [{"code": code, "message": f"{what}: {error}"}]
    return [{"code": "sync_failed", "message": f"{what}: {error}"}]
