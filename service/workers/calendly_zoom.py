"""Calendly → Zoom, the executing half (CONTRACT §4, last bullet): the
`sync_calendly_registrant` outbox command brings an invitee's Zoom registrant in line, with the
same look-up-before-repeating rule as bookings; an invitee who cancels is cancelled there.

What to send is decided in `service/services/calendly_zoom_mapping.py`.
"""

from __future__ import annotations

from typing import Any

from service.adapters.calendly_zoom import Invitee, mapped_invitee, registrant_row
from service.adapters.postgres import Connection
from service.adapters.zoom import ZoomAmbiguous, ZoomClient, ZoomError, ZoomTerminal
from service.domain.emails import InvalidEmail, zoom_email
from service.domain.subjects import Subject, SubjectKind
from service.services.calendly_zoom_mapping import SYNC_CALENDLY_REGISTRANT, attendee_subject
from service.services.unit_of_work import UnitOfWork
from service.workers.outbox import CommandTable, OutboxCommand, OutboxItem
from service.workers.runtime import WorkerRuntime
from service.workers.zoom_commands.common import zoom_client
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
        invitee = await mapped_invitee(conn, attendee_id)
        if invitee is None:
            return
        row = await registrant_row(conn, attendee_id)
        known = row if row is not None and row["meeting_id"] == invitee.meeting_id else None
        try:
            email = zoom_email(invitee.email)
        except InvalidEmail as error:
            await _failed(conn, invitee, [{"code": "email_not_accepted", "message": error.message}])
            return
        await conn.execute(
            """
            INSERT INTO calendly_zoom_registrants AS r (attendee_id, meeting_id, email, state)
            VALUES ($1, $2, $3, 'in_flight')
            ON CONFLICT (attendee_id) DO UPDATE
               SET state = 'in_flight', meeting_id = EXCLUDED.meeting_id, updated_at = now(),
                   registrant_id = CASE WHEN r.meeting_id = EXCLUDED.meeting_id
                                        THEN r.registrant_id END,
                   zoom_status = CASE WHEN r.meeting_id = EXCLUDED.meeting_id
                                      THEN r.zoom_status END
            """,
            attendee_id,
            invitee.meeting_id,
            email,
        )
    cause = {"attendee_id": str(attendee_id), "outbox_id": str(item.id)}
    try:
        found = await _bring_in_line(zoom, invitee, email, known, cause)
    except ZoomError as error:
        if not isinstance(error, ZoomAmbiguous):
            async with runtime.pool.acquire() as conn:
                await conn.execute(
                    "UPDATE calendly_zoom_registrants SET state = 'pending' WHERE attendee_id = $1",
                    attendee_id,
                )
        raise
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            """
            UPDATE calendly_zoom_registrants
               SET registrant_id = $2, join_url = $3, zoom_status = $4, state = 'done',
                   errors = '[]'::jsonb, updated_at = now()
             WHERE attendee_id = $1
            """,
            attendee_id,
            found.id if found else None,
            found.join_url if found else None,
            found.status if found else None,
        )


async def _bring_in_line(
    zoom: ZoomClient, invitee: Invitee, email: str, known: Any, cause: dict[str, str]
) -> RegistrantInZoom | None:
    meeting_id = invitee.meeting_id
    if known is None or known["state"] == "in_flight" or not known["registrant_id"]:
        current = await find_registrant(zoom, meeting_id, email, cause)
    else:
        current = RegistrantInZoom(
            known["registrant_id"], email, known["zoom_status"], known["join_url"]
        )
    if not invitee.active:
        if current is not None and current.status == "approved":
            await set_registrant_status(zoom, meeting_id, "cancel", current, cause)
            return RegistrantInZoom(current.id, email, "cancelled", current.join_url)
        return current
    if current is None:
        first, _, last = invitee.name.strip().partition(" ")
        body = {
            "email": email,
            "first_name": first or email,
            "last_name": last,
            "auto_approve": True,
        }
        added = await zoom.add_registrant(meeting_id, body, cause=cause)
        current = RegistrantInZoom(
            str(added["registrant_id"]), email, "approved", added.get("join_url")
        )
    elif current.status != "approved":
        await set_registrant_status(zoom, meeting_id, "approve", current, cause)
        current = RegistrantInZoom(current.id, email, "approved", current.join_url)
    return await with_join_url(zoom, meeting_id, current, cause)


async def _failed(conn: Connection, invitee: Invitee, errors: list[dict[str, str]]) -> None:
    await conn.execute(
        """
        INSERT INTO calendly_zoom_registrants AS r (attendee_id, meeting_id, state, errors)
        VALUES ($1, $2, 'failed', $3)
        ON CONFLICT (attendee_id) DO UPDATE
           SET state = 'failed', errors = EXCLUDED.errors, updated_at = now()
        """,
        invitee.attendee_id,
        invitee.meeting_id,
        errors,
    )
    await UnitOfWork(conn).notify(
        "sync_failed",
        f"Calendly invitee {invitee.email} can't be a Zoom registrant: "
        + "; ".join(e["message"] for e in errors),
        subject=attendee_subject(invitee.attendee_id),
        details={"errors": errors},
    )


async def calendly_registrant_dead(unit: UnitOfWork, item: OutboxItem, error: Exception) -> None:
    attendee_id = Subject.parse(item.subject, SubjectKind.ATTENDEE).number
    invitee = await mapped_invitee(unit.conn, attendee_id)
    if invitee is None:
        return
    code = error.code if isinstance(error, ZoomTerminal) else None
    errors = [{"code": f"zoom_{code}" if code else "sync_failed", "message": str(error)}]
    await _failed(unit.conn, invitee, errors)


def calendly_zoom_commands() -> CommandTable:
    return {
        SYNC_CALENDLY_REGISTRANT: OutboxCommand(sync_calendly_registrant, calendly_registrant_dead)
    }
