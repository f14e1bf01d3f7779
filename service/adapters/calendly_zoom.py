"""The Calendly event type → Zoom meeting mapping and its registrants (CONTRACT §4, last
bullet); decided in `service/services/calendly_zoom_mapping.py`."""

from __future__ import annotations

from dataclasses import dataclass

from service.adapters.postgres import Connection
from service.domain.zoom_objects import RegistrantStatus, SyncState


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


@dataclass(frozen=True)
class InviteeRegistrant:
    """Our view of an invitee's Zoom registrant."""

    meeting_id: int
    registrant_id: str | None
    zoom_status: RegistrantStatus | None
    join_url: str | None
    state: SyncState


async def registrant_row(conn: Connection, attendee_id: int) -> InviteeRegistrant | None:
    row = await conn.fetchrow(
        """
        SELECT meeting_id, registrant_id, zoom_status, join_url, state
          FROM calendly_zoom_registrants WHERE attendee_id = $1
        """,
        attendee_id,
    )
    if row is None:
        return None
    return InviteeRegistrant(
        row["meeting_id"],
        row["registrant_id"],
        RegistrantStatus(row["zoom_status"]) if row["zoom_status"] else None,
        row["join_url"],
        SyncState(row["state"]),
    )


async def claim_registrant(conn: Connection, attendee_id: int, meeting_id: int, email: str) -> None:
    """Mark the invitee's registrant in flight on `meeting_id` before calling Zoom; what we knew
    of a registrant on another meeting is dropped."""
    await conn.execute(
        """
        INSERT INTO calendly_zoom_registrants AS r (attendee_id, meeting_id, email, state)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (attendee_id) DO UPDATE
           SET state = EXCLUDED.state, meeting_id = EXCLUDED.meeting_id, updated_at = now(),
               registrant_id = CASE WHEN r.meeting_id = EXCLUDED.meeting_id
                                    THEN r.registrant_id END,
               zoom_status = CASE WHEN r.meeting_id = EXCLUDED.meeting_id
                                  THEN r.zoom_status END
        """,
        attendee_id,
        meeting_id,
        email,
        SyncState.IN_FLIGHT,
    )


async def release_registrant(conn: Connection, attendee_id: int) -> None:
    """Give back the claim of `claim_registrant`: Zoom refused or limited the call, so nothing
    was applied and the registrant is no longer in flight."""
    await conn.execute(
        "UPDATE calendly_zoom_registrants SET state = $2 WHERE attendee_id = $1",
        attendee_id,
        SyncState.PENDING,
    )


async def registrant_known(
    conn: Connection,
    attendee_id: int,
    registrant_id: str | None,
    join_url: str | None,
    zoom_status: RegistrantStatus | None,
) -> None:
    """Zoom holds this (None: no registrant)."""
    await conn.execute(
        """
        UPDATE calendly_zoom_registrants
           SET registrant_id = $2, join_url = $3, zoom_status = $4, state = $5,
               errors = '[]'::jsonb, updated_at = now()
         WHERE attendee_id = $1
        """,
        attendee_id,
        registrant_id,
        join_url,
        zoom_status,
        SyncState.DONE,
    )


async def registrant_failed(
    conn: Connection, attendee_id: int, meeting_id: int, errors: list[dict[str, str]]
) -> None:
    await conn.execute(
        """
        INSERT INTO calendly_zoom_registrants AS r (attendee_id, meeting_id, state, errors)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (attendee_id) DO UPDATE
           SET state = EXCLUDED.state, errors = EXCLUDED.errors, updated_at = now()
        """,
        attendee_id,
        meeting_id,
        SyncState.FAILED,
        errors,
    )


async def registrant_emails(conn: Connection, meeting_id: int) -> set[str]:
    """Case-folded emails of the invitees registered on the meeting through a mapping."""
    rows = await conn.fetch(
        "SELECT email FROM calendly_zoom_registrants WHERE meeting_id = $1 AND email IS NOT NULL",
        meeting_id,
    )
    return {r["email"].casefold() for r in rows}


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
        UPDATE calendly_zoom_registrants SET state = $2
         WHERE state = $3 AND attendee_id IN (
               SELECT a.id FROM calendly_attendees a JOIN calendly_events e ON e.id = a.event_id
                WHERE regexp_replace(e.event_type_uri, '^.*/', '') = $1)
        """,
        uuid,
        SyncState.PENDING,
        SyncState.FAILED,
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
