"""Calendly → Zoom, the deciding half (CONTRACT §4, last bullet): the invitees of a mapped
Calendly event type are registrants of one Zoom meeting.

The Calendly handler calls `on_invitee_changed` inside its transaction after storing an
invitee; mapping an event type (`PUT /api/v1/calendly/event-types/{uuid}/zoom`) calls it for
every invitee of that type. Both only decide; the `sync_calendly_registrant` outbox command
(`service/workers/calendly_zoom.py`) does the Zoom calls.
"""

from __future__ import annotations

from service.adapters import calendly_zoom as repo
from service.domain.invitee_registrants import needs_zoom_call
from service.domain.subjects import Subject, SubjectKind
from service.services.unit_of_work import UnitOfWork

SYNC_CALENDLY_REGISTRANT = "sync_calendly_registrant"


def attendee_subject(attendee_id: int) -> str:
    return str(Subject(SubjectKind.ATTENDEE, str(attendee_id)))


async def on_invitee_changed(unit: UnitOfWork, attendee_id: int, new: bool = False) -> None:
    """Decide whether the invitee's registrant needs a Zoom call; queue it if so.

    An attendee created in this transaction is locked by nobody else: its id is unseen
    until the commit, so its lock would cost a round trip and protect nothing.
    """
    if not new:
        await unit.lock(attendee_subject(attendee_id))
    invitee = await repo.mapped_invitee(unit.conn, attendee_id)
    if invitee is None:
        return
    row = await repo.registrant_row(unit.conn, attendee_id)
    if needs_zoom_call(invitee.active, invitee.meeting_id, row):
        cause = {"attendee_id": str(attendee_id), "meeting_id": str(invitee.meeting_id)}
        await unit.add_command(SYNC_CALENDLY_REGISTRANT, attendee_subject(attendee_id), cause=cause)


async def map_event_type(unit: UnitOfWork, uuid: str, meeting_id: int) -> int:
    """Map the event type to the meeting and decide for each of its invitees; returns how many."""
    await repo.map_event_type(unit.conn, uuid, meeting_id)
    ids = await repo.invitee_ids_of_event_type(unit.conn, uuid)
    for attendee_id in ids:
        await on_invitee_changed(unit, attendee_id)
    return len(ids)
