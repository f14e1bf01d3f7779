"""Queueing Calendly no-shows: whoever changes `attended` (an admin, the Zoom import) decides
here that the attendee's no-show must follow; `service/workers/no_shows.py` sends it
(docs/attendance.md)."""

from __future__ import annotations

from service.services.unit_of_work import UnitOfWork

SYNC_NO_SHOW = "sync_calendly_no_show"


def no_show_subject(attendee_id: int) -> str:
    return f"no-show:{attendee_id}"


async def attendance_changed(unit: UnitOfWork, attendee_ids: list[int]) -> None:
    """Queue the Calendly no-show of each Calendly invitee whose `attended` was set."""
    rows = await unit.conn.fetch(
        "SELECT id FROM calendly_attendees WHERE id = ANY($1::bigint[]) AND uri IS NOT NULL",
        attendee_ids,
    )
    for row in sorted(rows, key=lambda r: int(r["id"])):
        await unit.add_command(
            SYNC_NO_SHOW, no_show_subject(row["id"]), cause={"attendee_id": str(row["id"])}
        )
