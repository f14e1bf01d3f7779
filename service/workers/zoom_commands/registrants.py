"""The registrant command: make a booking's Zoom registrant approved or cancelled."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

from service.adapters.courses import booking_repo, course_repo, meeting_repo, registrant_repo
from service.adapters.zoom import (
    ZoomClient,
    ZoomRegistrantRefused,
)
from service.domain.booking_events import Booking
from service.domain.registrants import RegistrantState, registrant_body
from service.domain.subjects import Subject, SubjectKind
from service.domain.zoom_objects import RegistrantStatus, SyncState
from service.services.course_decisions import (
    RegistrantGoal,
    course_subject,
    registrant_goal,
    registrant_needs_call,
)
from service.services.unit_of_work import UnitOfWork
from service.workers.outbox import OutboxItem
from service.workers.runtime import WorkerRuntime
from service.workers.zoom_commands.common import (
    notify_refusal,
    released_unless_ambiguous,
    zoom_client,
    zoom_errors,
)
from service.workers.zoom_commands.lookups import (
    RegistrantInZoom,
    find_registrant,
    set_registrant_status,
    with_join_url,
)


@dataclass(frozen=True)
class _RegistrantWork:
    booking: Booking
    goal: RegistrantGoal
    meeting_id: int
    known: registrant_repo.RegistrantRow | None  # what we recorded for this meeting; None: nothing
    unsure: bool  # an earlier call's outcome is unknown: look it up first


async def sync_registrant(runtime: WorkerRuntime, item: OutboxItem) -> None:
    """Make the booking's registrant approved or cancelled, as the booking now says."""
    booking_id = Subject.parse(item.subject, SubjectKind.BOOKING).key
    zoom = zoom_client(runtime)
    work = await _claim_registrant_work(runtime, booking_id)
    if work is None:
        return
    cause = {
        "course_id": work.booking.course_id,
        "booking_id": booking_id,
        "outbox_id": str(item.id),
    }
    release = partial(registrant_repo.release_registrant, booking_id=booking_id)
    async with released_unless_ambiguous(runtime.pool, release):
        found = await _bring_in_line(zoom, work, cause)
    async with runtime.pool.acquire() as conn:
        await registrant_repo.registrant_known(
            conn,
            booking_id,
            registrant_id=found.id if found else None,
            email=found.email if found else work.goal.email,
            join_url=found.join_url if found else None,
            zoom_status=found.status if found else None,
        )
    if found is not None and found.status is RegistrantStatus.APPROVED and not found.join_url:
        runtime.join_urls.fill_later(zoom, runtime.pool, work.meeting_id, work.booking.course_id)


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
        unsure = known is not None and known.state is SyncState.IN_FLIGHT
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
    if (
        current is not None
        and current.status is RegistrantStatus.APPROVED
        and current.email != wanted
    ):
        await set_registrant_status(zoom, work.meeting_id, "cancel", current, cause)
        current = replace(current, status=RegistrantStatus.CANCELLED)
    if wanted is None:
        return current
    if current is not None and current.email == wanted:
        if current.status is not RegistrantStatus.APPROVED:
            await set_registrant_status(zoom, work.meeting_id, "approve", current, cause)
        approved = replace(current, status=RegistrantStatus.APPROVED)
        return await with_join_url(zoom, work.meeting_id, approved, cause)
    return await _add(zoom, work, wanted, cause)


async def _add(
    zoom: ZoomClient, work: _RegistrantWork, email: str, cause: dict[str, str]
) -> RegistrantInZoom:
    try:
        added = await zoom.add_registrant(
            work.meeting_id, registrant_body(work.booking), cause=cause
        )
    except ZoomRegistrantRefused:
        # Zoom keeps a cancelled registrant as denied and refuses to add it again: approve it.
        existing = await find_registrant(zoom, work.meeting_id, email, cause)
        if existing is None:
            raise
        await set_registrant_status(zoom, work.meeting_id, "approve", existing, cause)
        approved = replace(existing, email=email, status=RegistrantStatus.APPROVED)
        return await with_join_url(zoom, work.meeting_id, approved, cause)
    # No join_url in the answer (manual approval): read in pages (service/workers/join_urls.py).
    return RegistrantInZoom(
        str(added["registrant_id"]), email, RegistrantStatus.APPROVED, added.get("join_url")
    )


async def registrant_command_dead(unit: UnitOfWork, item: OutboxItem, error: Exception) -> None:
    booking_id = Subject.parse(item.subject, SubjectKind.BOOKING).key
    errors = zoom_errors(error, "Zoom refused the registrant")
    await registrant_repo.registrant_failed(unit.conn, booking_id, errors)
    await notify_refusal(unit, item, f"Booking {booking_id}", errors)
