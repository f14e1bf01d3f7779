"""Look-ups in Zoom after a lost answer, and the registrant calls Calendly invitees share."""

from __future__ import annotations

from dataclasses import dataclass

from service.adapters.zoom import (
    RegistrantAction,
    ZoomClient,
)
from service.domain.zoom_meeting import (
    carries_marker,
)
from service.domain.zoom_objects import RegistrantStatus


async def find_course_meetings(
    zoom: ZoomClient, host: str, course_id: str, cause: dict[str, str]
) -> list[int]:
    """The ids of the host's meetings carrying the course's marker, oldest first."""
    marked: dict[int, str] = {}
    for listed in await zoom.list_meetings(host, cause=cause):
        if carries_marker(listed.get("agenda"), course_id) and listed.get("id") is not None:
            marked.setdefault(int(listed["id"]), str(listed.get("created_at") or ""))
    return sorted(marked, key=lambda meeting_id: (marked[meeting_id], meeting_id))


@dataclass(frozen=True)
class RegistrantInZoom:
    """A registrant as Zoom holds it (also used for Calendly invitees)."""

    id: str
    email: str
    status: RegistrantStatus  # approved | cancelled | pending
    join_url: str | None


async def with_join_url(
    zoom: ZoomClient, meeting_id: int, found: RegistrantInZoom, cause: dict[str, str]
) -> RegistrantInZoom:
    """With manual approval Zoom may leave `join_url` out of the add; the registrant has it."""
    if found.join_url:
        return found
    registrant = await zoom.get_registrant(meeting_id, found.id, cause=cause)
    return RegistrantInZoom(found.id, found.email, found.status, registrant.get("join_url"))


async def set_registrant_status(
    zoom: ZoomClient,
    meeting_id: int,
    action: RegistrantAction,
    found: RegistrantInZoom,
    cause: dict[str, str],
) -> None:
    target = [{"id": found.id, "email": found.email}]
    await zoom.update_registrant_status(meeting_id, action, target, cause=cause)


async def find_registrant(
    zoom: ZoomClient, meeting_id: int, email: str, cause: dict[str, str]
) -> RegistrantInZoom | None:
    """The registrant with this email, approved or cancelled (Zoom lists those as denied)."""
    for zoom_status, ours in (
        (RegistrantStatus.APPROVED, RegistrantStatus.APPROVED),
        (RegistrantStatus.DENIED, RegistrantStatus.CANCELLED),
    ):
        for registrant in await zoom.list_registrants(meeting_id, zoom_status, cause=cause):
            if str(registrant.get("email", "")).casefold() == email.casefold():
                return RegistrantInZoom(
                    str(registrant["id"]), email, ours, registrant.get("join_url")
                )
    return None
