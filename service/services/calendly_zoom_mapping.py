"""Calendly → Zoom, the deciding half (CONTRACT §4, last bullet): the invitees of a mapped
Calendly event type are registrants of one Zoom meeting.

The Calendly handler calls `on_invitee_changed` inside its transaction after storing an
invitee; mapping an event type (`PUT /api/v1/calendly/event-types/{uuid}/zoom`) calls it for
every invitee of that type. Both only decide; the `sync_calendly_registrant` outbox command
(`service/workers/calendly_zoom.py`) does the Zoom calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.adapters.postgres import Connection
from service.services.unit_of_work import UnitOfWork

SYNC_CALENDLY_REGISTRANT = "sync_calendly_registrant"


def attendee_subject(attendee_id: int) -> str:
    return f"attendee:{attendee_id}"


@dataclass(frozen=True)
class Invitee:
    attendee_id: int
    name: str
    email: str
    active: bool
    meeting_id: int


async def mapped_invitee(conn: Connection, attendee_id: int) -> Invitee | None:
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
    return Invitee(row["id"], row["name"], row["email"], active, row["meeting_id"])


async def registrant_row(conn: Connection, attendee_id: int) -> Any:
    return await conn.fetchrow(
        "SELECT * FROM calendly_zoom_registrants WHERE attendee_id = $1", attendee_id
    )


async def on_invitee_changed(unit: UnitOfWork, attendee_id: int) -> None:
    """Decide whether the invitee's registrant needs a Zoom call; queue it if so."""
    await unit.lock(attendee_subject(attendee_id))
    invitee = await mapped_invitee(unit.conn, attendee_id)
    if invitee is None:
        return
    row = await registrant_row(unit.conn, attendee_id)
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
