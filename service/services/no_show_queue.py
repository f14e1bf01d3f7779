"""Queueing Calendly no-shows: whoever changes `attended` (an admin, the Zoom import) decides
here that the attendee's no-show must follow; `service/workers/no_shows.py` sends it
(docs/attendance.md)."""

from __future__ import annotations

from service.adapters import attendee_admin
from service.domain.subjects import Subject, SubjectKind
from service.services.unit_of_work import UnitOfWork

SYNC_NO_SHOW = "sync_calendly_no_show"


def no_show_subject(attendee_id: int) -> str:
    return str(Subject(SubjectKind.NO_SHOW, str(attendee_id)))


async def attendance_changed(unit: UnitOfWork, attendee_ids: list[int]) -> None:
    """Queue the Calendly no-show of each Calendly invitee whose `attended` was set."""
    for attendee_id in await attendee_admin.calendly_invitee_ids(unit.conn, attendee_ids):
        await unit.add_command(
            SYNC_NO_SHOW, no_show_subject(attendee_id), cause={"attendee_id": str(attendee_id)}
        )
