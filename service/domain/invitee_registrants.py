"""Calendly invitees of a mapped event type as Zoom registrants (CONTRACT §4, last bullet):
when an invitee needs a Zoom call, and what is sent to add one."""

from __future__ import annotations

from typing import Protocol

from service.domain.zoom_objects import RegistrantStatus, SyncState


class StoredInviteeRegistrant(Protocol):
    """Our view of the invitee's registrant (`calendly_zoom.InviteeRegistrant` fits)."""

    @property
    def meeting_id(self) -> int: ...

    @property
    def zoom_status(self) -> str | None: ...

    @property
    def state(self) -> SyncState: ...


def needs_zoom_call(active: bool, meeting_id: int, stored: StoredInviteeRegistrant | None) -> bool:
    """An active invitee must be an approved registrant of the mapped meeting, a cancelled one
    must not; a call whose outcome is unknown is looked up again. One Zoom refused stays
    refused until the event type is mapped again."""
    on_meeting = stored is not None and stored.meeting_id == meeting_id
    if stored is None or not on_meeting:
        return active
    if stored.state is SyncState.FAILED:
        return False
    approved = stored.zoom_status == RegistrantStatus.APPROVED
    return active != approved or stored.state is SyncState.IN_FLIGHT


def invitee_registrant_body(name: str, email: str) -> dict[str, object]:
    """The body of `POST /meetings/{id}/registrants` for an invitee (Calendly keeps one name:
    its first word is the first name), approved at once. `email` is already Zoom's form."""
    first, _, last = name.strip().partition(" ")
    return {"email": email, "first_name": first or email, "last_name": last, "auto_approve": True}
