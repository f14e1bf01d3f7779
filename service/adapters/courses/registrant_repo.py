"""Our view of a booking's Zoom registrant: its state and failures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.adapters.courses.errors import Errors
from service.adapters.postgres import Connection
from service.domain.booking_events import (
    Booking,
)
from service.domain.zoom_objects import RegistrantStatus, SyncState


@dataclass(frozen=True)
class RegistrantRow:
    booking_id: str
    course_id: str
    meeting_id: int | None
    registrant_id: str | None
    email: str | None
    join_url: str | None
    zoom_status: RegistrantStatus | None
    state: SyncState
    errors: Errors


def _registrant(row: Any) -> RegistrantRow:
    return RegistrantRow(
        booking_id=row["booking_id"],
        course_id=row["course_id"],
        meeting_id=row["meeting_id"],
        registrant_id=row["registrant_id"],
        email=row["email"],
        join_url=row["join_url"],
        zoom_status=RegistrantStatus(row["zoom_status"]) if row["zoom_status"] else None,
        state=SyncState(row["state"]),
        errors=row["errors"],
    )


async def load_registrants(conn: Connection, course_id: str) -> dict[str, RegistrantRow]:
    rows = await conn.fetch("SELECT * FROM zoom_registrants WHERE course_id = $1", course_id)
    return {r["booking_id"]: _registrant(r) for r in rows}


async def load_registrant(conn: Connection, booking_id: str) -> RegistrantRow | None:
    row = await conn.fetchrow("SELECT * FROM zoom_registrants WHERE booking_id = $1", booking_id)
    return _registrant(row) if row is not None else None


async def reset_registrant_failure(conn: Connection, booking_id: str) -> None:
    await conn.execute(
        "UPDATE zoom_registrants SET state = 'pending' WHERE booking_id = $1 AND state = 'failed'",
        booking_id,
    )


async def set_registrant_errors(conn: Connection, booking: Booking, errors: Errors) -> None:
    """The booking's own problems (empty: none); a Zoom refusal they replace may be retried."""
    await conn.execute(
        """
        INSERT INTO zoom_registrants AS r (booking_id, course_id, errors) VALUES ($1, $2, $3)
        ON CONFLICT (booking_id) DO UPDATE
           SET errors = EXCLUDED.errors,
               state = CASE WHEN r.state = 'failed' THEN 'pending' ELSE r.state END,
               updated_at = now()
        """,
        booking.id,
        booking.course_id,
        errors,
    )


async def registrant_in_flight(
    conn: Connection, booking: Booking, meeting_id: int, email: str
) -> None:
    """About to call Zoom for this registrant: after a crash the row says "look it up first"."""
    await conn.execute(
        """
        INSERT INTO zoom_registrants AS r (booking_id, course_id, meeting_id, email, state)
        VALUES ($1, $2, $3, $4, 'in_flight')
        ON CONFLICT (booking_id) DO UPDATE
           SET state = 'in_flight', errors = '[]'::jsonb, updated_at = now(),
               meeting_id = EXCLUDED.meeting_id,
               email = CASE WHEN r.meeting_id IS DISTINCT FROM EXCLUDED.meeting_id
                            THEN EXCLUDED.email ELSE r.email END,
               registrant_id = CASE WHEN r.meeting_id IS DISTINCT FROM EXCLUDED.meeting_id
                                    THEN NULL ELSE r.registrant_id END,
               join_url = CASE WHEN r.meeting_id IS DISTINCT FROM EXCLUDED.meeting_id
                               THEN NULL ELSE r.join_url END,
               zoom_status = CASE WHEN r.meeting_id IS DISTINCT FROM EXCLUDED.meeting_id
                                  THEN NULL ELSE r.zoom_status END
        """,
        booking.id,
        booking.course_id,
        meeting_id,
        email,
    )


async def release_registrant(conn: Connection, booking_id: str) -> None:
    """Give back the claim of `registrant_in_flight`: Zoom refused or limited the call, so
    nothing was applied and the registrant is no longer in flight."""
    await conn.execute(
        "UPDATE zoom_registrants SET state = $2 WHERE booking_id = $1",
        booking_id,
        SyncState.PENDING,
    )


async def registrant_known(
    conn: Connection,
    booking_id: str,
    *,
    registrant_id: str | None,
    email: str | None,
    join_url: str | None,
    zoom_status: RegistrantStatus | None,
    state: SyncState = SyncState.DONE,
) -> None:
    """Record what Zoom holds for the booking now."""
    await conn.execute(
        """
        UPDATE zoom_registrants
           SET registrant_id = $2, email = $3, join_url = $4, zoom_status = $5, state = $6,
               errors = '[]'::jsonb, updated_at = now()
         WHERE booking_id = $1
        """,
        booking_id,
        registrant_id,
        email,
        join_url,
        zoom_status,
        state,
    )


async def registrant_failed(conn: Connection, booking_id: str, errors: Errors) -> None:
    await conn.execute(
        """
        UPDATE zoom_registrants SET state = 'failed', errors = $2, updated_at = now()
         WHERE booking_id = $1
        """,
        booking_id,
        errors,
    )
