"""Calendly's `invitee_no_show.*` webhooks against the no-shows this service sends: our own
echo changes nothing; a no-show set or undone in Calendly is a mark by hand (docs/attendance.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from service.adapters import no_shows as repo
from service.adapters.postgres import Connection
from service.services.no_show_queue import SYNC_NO_SHOW


async def is_own_no_show_echo(
    conn: Connection, created: bool, payload: Mapping[str, object]
) -> bool:
    """Whether an `invitee_no_show.*` webhook reports a no-show this service created or deleted."""
    if created:
        # Calendly may report our POST before its answer reached us (then our command is
        # still in flight and has not stored the URI yet).
        no_show = payload.get("no_show")
        uri = no_show.get("uri") if isinstance(no_show, dict) else None
        return await repo.created_by_us(conn, uri, payload.get("uri"), SYNC_NO_SHOW)
    # The webhook may overtake our own bookkeeping of the DELETE: what counts is that we sent a
    # no-show for this invitee and no longer want one.
    return await repo.deleted_by_us(conn, payload.get("uri"))


async def remember_no_show(
    conn: Connection, invitee_uri: str, payload: Mapping[str, object] | None
) -> None:
    """Keep the URI of a no-show set in Calendly (None: it was undone there).

    A person set or undid it in Calendly: that is a mark by hand, which Zoom never overwrites.
    """
    no_show = payload.get("no_show") if payload is not None else None
    uri = no_show.get("uri") if isinstance(no_show, dict) else None
    await repo.set_in_calendly(conn, invitee_uri, uri if isinstance(uri, str) else None)
