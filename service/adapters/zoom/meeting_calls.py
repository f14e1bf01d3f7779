"""Zoom's meeting endpoints: create, list, read, update, delete."""

from __future__ import annotations

from collections.abc import Mapping

from service.adapters.zoom.answers import Json, MeetingId, ZoomRequest, meeting_path, path_segment
from service.adapters.zoom.transport import LIGHT, MEDIUM, ZoomTransport


class MeetingCalls(ZoomTransport):
    async def create_meeting(self, host: str, body: Json, *, cause: Mapping[str, str]) -> Json:
        """POST /users/{host}/meetings (Medium; counts against the host's 100 per day)."""
        path = f"/users/{path_segment(host)}/meetings"
        return await self._json(ZoomRequest("POST", path, MEDIUM, cause, body=body))

    async def list_meetings(
        self, host: str, meeting_type: str = "scheduled", *, cause: Mapping[str, str]
    ) -> list[Json]:
        """GET /users/{host}/meetings (Medium): the host's meetings of `meeting_type`, every page.

        `scheduled` (Zoom's default) is the widest list: every unexpired meeting, previous, live
        and upcoming (`upcoming` leaves out a meeting whose first occurrence has passed). Each
        entry has `id`, `uuid`, `host_id`, `topic`, `type`, `start_time`, `duration`,
        `timezone`, `created_at`, `join_url` and `agenda` cut to 250 characters.
        """
        path = f"/users/{path_segment(host)}/meetings"
        return await self._every_page(path, "meetings", {"type": meeting_type}, cause)

    async def get_meeting(
        self,
        meeting_id: MeetingId,
        *,
        show_previous_occurrences: bool = False,
        cause: Mapping[str, str],
    ) -> Json:
        """GET /meetings/{id} (Light); past occurrences only when asked for."""
        params = {"show_previous_occurrences": "true"} if show_previous_occurrences else {}
        return await self._json(
            ZoomRequest("GET", meeting_path(meeting_id), LIGHT, cause, params=params)
        )

    async def update_meeting(
        self, meeting_id: MeetingId, body: Json, *, cause: Mapping[str, str]
    ) -> None:
        """PATCH /meetings/{id} (Light; counts against the host's 100 per day)."""
        await self._call(ZoomRequest("PATCH", meeting_path(meeting_id), LIGHT, cause, body=body))

    async def delete_meeting(self, meeting_id: MeetingId, *, cause: Mapping[str, str]) -> None:
        """DELETE /meetings/{id} (Light); registrants are not emailed."""
        await self._call(ZoomRequest("DELETE", meeting_path(meeting_id), LIGHT, cause))
