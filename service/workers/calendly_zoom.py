"""Calendly → Zoom (CONTRACT §4, last bullet): the invitees of a mapped Calendly event type are
registrants of one Zoom meeting; an invitee who cancels is cancelled there.

The Calendly handler calls `on_invitee_changed` inside its transaction after storing an
invitee; mapping an event type (`PUT /api/v1/calendly/event-types/{uuid}/zoom`) calls it for
every invitee of that type. Both only decide; the `sync_calendly_registrant` outbox command does
the Zoom calls, with the same look-up-before-repeating rule as bookings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.adapters.postgres import Connection
from service.adapters.zoom import ZoomAmbiguous, ZoomClient, ZoomError, ZoomTerminal
from service.domain.emails import InvalidEmail, zoom_email
from service.workers.outbox import CommandTable, OutboxCommand, OutboxItem
from service.workers.runtime import WorkerRuntime
from service.workers.unit_of_work import UnitOfWork
from service.workers.zoom_commands import (
    RegistrantInZoom,
    find_registrant,
    set_registrant_status,
    with_join_url,
    zoom_client,
)

SYNC_CALENDLY_REGISTRANT = "sync_calendly_registrant"


def attendee_subject(attendee_id: int) -> str:
    return f"attendee:{attendee_id}"


def event_type_uuid(event_type_uri: str) -> str:
    """Calendly names event types by URI (`…/event_types/{uuid}`); the API maps by the uuid."""
    return event_type_uri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class _Invitee:
    attendee_id: int
    name: str
    email: str
    active: bool
    meeting_id: int


async def _invitee(conn: Connection, attendee_id: int) -> _Invitee | None:
    """The attendee with the Zoom meeting its event type is mapped to; None when unmapped."""
    row = await conn.fetchrow(
        """
        SELECT a.id, a.name, a.email, a.status, e.status AS event_status, m.meeting_id
          FROM calendly_attendees a
          JOIN calendly_events e ON e.id = a.event_id
          JOIN calendly_event_type_zoom m
            ON m.event_type_uuid = regexp_replace(e.event_type_uri, '^.*/', '')
         WHERE a.id = $1
        """,
        attendee_id,
    )
    if row is None:
        return None
    active = row["status"] == "active" and row["event_status"] == "active"
    return _Invitee(row["id"], row["name"], row["email"], active, row["meeting_id"])


async def _registrant(conn: Connection, attendee_id: int) -> Any:
    return await conn.fetchrow(
        "SELECT * FROM calendly_zoom_registrants WHERE attendee_id = $1", attendee_id
    )


async def on_invitee_changed(unit: UnitOfWork, attendee_id: int) -> None:
    """Decide whether the invitee's registrant needs a Zoom call; queue it if so."""
    await unit.lock(attendee_subject(attendee_id))
    invitee = await _invitee(unit.conn, attendee_id)
    if invitee is None:
        return
    row = await _registrant(unit.conn, attendee_id)
    on_meeting = row is not None and row["meeting_id"] == invitee.meeting_id
    approved = on_meeting and row["zoom_status"] == "approved"
    if row is not None and row["state"] == "failed" and on_meeting:
        return  # Zoom refused; mapping the event type again retries
    if invitee.active != approved or (on_meeting and row["state"] == "in_flight"):
        cause = {"attendee_id": str(attendee_id), "meeting_id": str(invitee.meeting_id)}
        await unit.add_command(SYNC_CALENDLY_REGISTRANT, attendee_subject(attendee_id), cause=cause)


async def map_event_type(unit: UnitOfWork, uuid: str, meeting_id: int) -> int:
    """Map the event type to the meeting and decide for each of its invitees; returns how many."""
    await unit.conn.execute(
        """
        INSERT INTO calendly_event_type_zoom (event_type_uuid, meeting_id) VALUES ($1, $2)
        ON CONFLICT (event_type_uuid) DO UPDATE
           SET meeting_id = EXCLUDED.meeting_id, updated_at = now()
        """,
        uuid,
        meeting_id,
    )
    await unit.conn.execute(
        """
        UPDATE calendly_zoom_registrants SET state = 'pending'
         WHERE state = 'failed' AND attendee_id IN (
               SELECT a.id FROM calendly_attendees a JOIN calendly_events e ON e.id = a.event_id
                WHERE regexp_replace(e.event_type_uri, '^.*/', '') = $1)
        """,
        uuid,
    )
    ids = await unit.conn.fetch(
        """
        SELECT a.id FROM calendly_attendees a JOIN calendly_events e ON e.id = a.event_id
         WHERE regexp_replace(e.event_type_uri, '^.*/', '') = $1 ORDER BY a.id
        """,
        uuid,
    )
    for row in ids:
        await on_invitee_changed(unit, row["id"])
    return len(ids)


async def sync_calendly_registrant(runtime: WorkerRuntime, item: OutboxItem) -> None:
    """Approve (adding if needed) an active invitee; cancel a cancelled one."""
    attendee_id = int(item.subject.removeprefix("attendee:"))
    zoom = zoom_client(runtime)
    async with runtime.pool.acquire() as conn, conn.transaction():
        await UnitOfWork(conn).lock(attendee_subject(attendee_id))
        invitee = await _invitee(conn, attendee_id)
        if invitee is None:
            return
        row = await _registrant(conn, attendee_id)
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
    zoom: ZoomClient, invitee: _Invitee, email: str, known: Any, cause: dict[str, str]
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


async def _failed(conn: Connection, invitee: _Invitee, errors: list[dict[str, str]]) -> None:
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
    attendee_id = int(item.subject.removeprefix("attendee:"))
    invitee = await _invitee(unit.conn, attendee_id)
    if invitee is None:
        return
    code = error.code if isinstance(error, ZoomTerminal) else None
    errors = [{"code": f"zoom_{code}" if code else "sync_failed", "message": str(error)}]
    await _failed(unit.conn, invitee, errors)


def calendly_zoom_commands() -> CommandTable:
    return {
        SYNC_CALENDLY_REGISTRANT: OutboxCommand(sync_calendly_registrant, calendly_registrant_dead)
    }
