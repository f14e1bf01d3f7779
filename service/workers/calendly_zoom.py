"""Calendly → Zoom, the executing half (CONTRACT §4, last bullet): the
`sync_calendly_registrant` outbox command brings an invitee's Zoom registrant in line, with the
same look-up-before-repeating rule as bookings; an invitee who cancels is cancelled there.

What to send is decided in `service/services/calendly_zoom_mapping.py`.
"""

from __future__ import annotations

from functools import partial

from service.adapters import calendly_zoom as repo
from service.adapters.calendly_zoom import Invitee, InviteeRegistrant
from service.adapters.postgres import Connection
from service.adapters.zoom import ZoomClient, ZoomTerminal
from service.domain.emails import InvalidEmail, zoom_email
from service.domain.invitee_registrants import invitee_registrant_body
from service.domain.subjects import Subject, SubjectKind
from service.domain.zoom_objects import RegistrantStatus, SyncState
from service.services.calendly_zoom_mapping import SYNC_CALENDLY_REGISTRANT, attendee_subject
from service.services.unit_of_work import UnitOfWork
from service.workers.outbox import CommandTable, OutboxCommand, OutboxItem
from service.workers.runtime import WorkerRuntime
from service.workers.zoom_commands.common import released_unless_ambiguous, zoom_client
from service.workers.zoom_commands.lookups import (
    RegistrantInZoom,
    find_registrant,
    set_registrant_status,
    with_join_url,
)


async def sync_calendly_registrant(runtime: WorkerRuntime, item: OutboxItem) -> None:
    """Approve (adding if needed) an active invitee; cancel a cancelled one."""
    attendee_id = Subject.parse(item.subject, SubjectKind.ATTENDEE).number
    zoom = zoom_client(runtime)
    async with runtime.pool.acquire() as conn, conn.transaction():
        await UnitOfWork(conn).lock(attendee_subject(attendee_id))
        invitee = await repo.mapped_invitee(conn, attendee_id)
        if invitee is None:
            return
        row = await repo.registrant_row(conn, attendee_id)
        known = row if row is not None and row.meeting_id == invitee.meeting_id else None
        try:
            email = zoom_email(invitee.email)
        except InvalidEmail as error:
            await _failed(conn, invitee, [{"code": "email_not_accepted", "message": error.message}])
            return
        await repo.claim_registrant(conn, attendee_id, invitee.meeting_id, email)
    cause = {"attendee_id": str(attendee_id), "outbox_id": str(item.id)}
    release = partial(repo.release_registrant, attendee_id=attendee_id)
    async with released_unless_ambiguous(runtime.pool, release):
        found = await _bring_in_line(zoom, invitee, email, known, cause)
    async with runtime.pool.acquire() as conn:
        await repo.registrant_known(
            conn,
            attendee_id,
            found.id if found else None,
            found.join_url if found else None,
            found.status if found else None,
        )


async def _bring_in_line(
    zoom: ZoomClient,
    invitee: Invitee,
    email: str,
    known: InviteeRegistrant | None,
    cause: dict[str, str],
) -> RegistrantInZoom | None:
    meeting_id = invitee.meeting_id
    if (
        known is None
        or known.state is SyncState.IN_FLIGHT
        or not known.registrant_id
        or not known.zoom_status
    ):
        current = await find_registrant(zoom, meeting_id, email, cause)
    else:
        current = RegistrantInZoom(known.registrant_id, email, known.zoom_status, known.join_url)
    if not invitee.active:
        if current is not None and current.status == RegistrantStatus.APPROVED:
            await set_registrant_status(zoom, meeting_id, "cancel", current, cause)
            return RegistrantInZoom(current.id, email, RegistrantStatus.CANCELLED, current.join_url)
        return current
    if current is None:
        body = invitee_registrant_body(invitee.name, email)
        added = await zoom.add_registrant(meeting_id, body, cause=cause)
        current = RegistrantInZoom(
            str(added["registrant_id"]), email, RegistrantStatus.APPROVED, added.get("join_url")
        )
    elif current.status != RegistrantStatus.APPROVED:
        await set_registrant_status(zoom, meeting_id, "approve", current, cause)
        current = RegistrantInZoom(current.id, email, RegistrantStatus.APPROVED, current.join_url)
    return await with_join_url(zoom, meeting_id, current, cause)


async def _failed(conn: Connection, invitee: Invitee, errors: list[dict[str, str]]) -> None:
    await repo.registrant_failed(conn, invitee.attendee_id, invitee.meeting_id, errors)
    await UnitOfWork(conn).notify(
        "sync_failed",
        f"Calendly invitee {invitee.email} can't be a Zoom registrant: "
        + "; ".join(e["message"] for e in errors),
        subject=attendee_subject(invitee.attendee_id),
        details={"errors": errors},
    )


async def calendly_registrant_dead(unit: UnitOfWork, item: OutboxItem, error: Exception) -> None:
    attendee_id = Subject.parse(item.subject, SubjectKind.ATTENDEE).number
    invitee = await repo.mapped_invitee(unit.conn, attendee_id)
    if invitee is None:
        return
    code = error.code if isinstance(error, ZoomTerminal) else None
    errors = [{"code": f"zoom_{code}" if code else "sync_failed", "message": str(error)}]
    await _failed(unit.conn, invitee, errors)


def calendly_zoom_commands() -> CommandTable:
    return {
        SYNC_CALENDLY_REGISTRANT: OutboxCommand(sync_calendly_registrant, calendly_registrant_dead)
    }
