"""The Calendly event type → Zoom meeting mapping and its registrants (CONTRACT §4, last
bullet); decided in `service/services/calendly_zoom_mapping.py`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.adapters.postgres import Connection


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


async def map_event_type(conn: Connection, uuid: str, meeting_id: int) -> None:
    """Store the mapping; registrants Zoom refused under the old one may be tried again."""
    await conn.execute(
        """
        INSERT INTO calendly_event_type_zoom (event_type_uuid, meeting_id) VALUES ($1, $2)
        ON CONFLICT (event_type_uuid) DO UPDATE
           SET meeting_id = EXCLUDED.meeting_id, updated_at = now()
        """,
        uuid,
        meeting_id,
    )
    await conn.execute(
        """
        UPDATE calendly_zoom_registrants SET state = 'pending'
         WHERE state = 'failed' AND attendee_id IN (
               SELECT a.id FROM calendly_attendees a JOIN calendly_events e ON e.id = a.event_id
                WHERE regexp_replace(e.event_type_uri, '^.*/', '') = $1)
        """,
        uuid,
    )


async def invitee_ids_of_event_type(conn: Connection, uuid: str) -> list[int]:
    rows = await conn.fetch(
        """
        SELECT a.id FROM calendly_attendees a JOIN calendly_events e ON e.id = a.event_id
         WHERE regexp_replace(e.event_type_uri, '^.*/', '') = $1 ORDER BY a.id
        """,
        uuid,
    )
    return [row["id"] for row in rows]
