"""Zoom's past-meeting endpoints: the held instances of a meeting and who attended one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from service.adapters.zoom import errors
from service.adapters.zoom.answers import (
    Json,
    MeetingId,
    ZoomRequest,
    instance_segment,
    path_segment,
)
from service.adapters.zoom.errors import ZoomTerminal
from service.adapters.zoom.transport import MEDIUM, ZoomTransport


@dataclass(frozen=True)
class PastParticipants:
    """The participant rows of one instance and how many pages (calls) they took."""

    rows: list[Json]
    pages: int


class PastMeetingCalls(ZoomTransport):
    async def list_past_participants(
        self, instance_uuid: str, *, cause: Mapping[str, str]
    ) -> PastParticipants:
        """GET /past_meetings/{uuid}/participants (Medium): every join segment, every page.

        A `next_page_token` lives 15 minutes: when Zoom refuses a later page's token (400), the
        list is read once more from the first page.
        """
        path = f"/past_meetings/{instance_segment(instance_uuid)}/participants"
        pages: list[int] = []
        try:
            try:
                rows = await self._every_page(path, "participants", {}, cause, pages)
            except ZoomTerminal as error:
                if error.status != 400 or not pages:
                    raise
                rows = await self._every_page(path, "participants", {}, cause, pages)
        except ZoomTerminal as error:
            raise errors.participants_refusal(error) from error.__cause__
        return PastParticipants(rows, len(pages))

    async def list_past_instances(
        self, meeting_id: MeetingId, *, cause: Mapping[str, str]
    ) -> list[Json]:
        """GET /past_meetings/{id}/instances (Medium): `{uuid, start_time}` of each held instance.

        Zoom answers only for meetings used in the last 30 days.
        """
        path = f"/past_meetings/{path_segment(str(meeting_id))}/instances"
        page = await self._json(ZoomRequest("GET", path, MEDIUM, cause))
        return list(page.get("meetings") or [])
