"""Giving back a claim on a booking's Zoom registrant: Zoom refused or limited the call, so
nothing was applied and the registrant is no longer in flight (`registrant_repo` marks it so)."""

from __future__ import annotations

from service.adapters.postgres import Connection
from service.domain.zoom_objects import SyncState


async def release_registrant(conn: Connection, booking_id: str) -> None:
    await conn.execute(
        "UPDATE zoom_registrants SET state = $2 WHERE booking_id = $1",
        booking_id,
        SyncState.PENDING,
    )
