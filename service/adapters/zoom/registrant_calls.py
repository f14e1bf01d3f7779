"""Zoom's registrant endpoints: add, list, read, change status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from service.adapters.zoom import errors
from service.adapters.zoom.answers import Json, MeetingId, ZoomRequest, meeting_path, path_segment
from service.adapters.zoom.errors import ZoomTerminal
from service.adapters.zoom.transport import LIGHT, MEDIUM, ZoomTransport

STATUS_BATCH_SIZE = 30  # Zoom's maximum registrants per status update

RegistrantAction = Literal["approve", "cancel", "deny"]


class RegistrantCalls(ZoomTransport):
    async def add_registrant(
        self,
        meeting_id: MeetingId,
        body: Json,
        occurrence_ids: Sequence[str] | None = None,
        *,
        cause: Mapping[str, str],
    ) -> Json:
        """POST /meetings/{id}/registrants (Light; 3 per registrant and day: never blindly redo)."""
        params = {"occurrence_ids": ",".join(occurrence_ids)} if occurrence_ids else {}
        path = f"{meeting_path(meeting_id)}/registrants"
        request = ZoomRequest("POST", path, LIGHT, cause, params=params, body=body)
        try:
            return await self._json(request)
        except ZoomTerminal as error:
            raise errors.add_registrant_refusal(error) from error.__cause__

    async def list_registrants(
        self, meeting_id: MeetingId, status: str = "approved", *, cause: Mapping[str, str]
    ) -> list[Json]:
        """Every registrant with `status` (approved/pending/denied), across all pages (Medium)."""
        path = f"{meeting_path(meeting_id)}/registrants"
        return await self._every_page(path, "registrants", {"status": status}, cause)

    async def get_registrant(
        self, meeting_id: MeetingId, registrant_id: str, *, cause: Mapping[str, str]
    ) -> Json:
        """GET /meetings/{id}/registrants/{registrant_id} (Light)."""
        path = f"{meeting_path(meeting_id)}/registrants/{path_segment(registrant_id)}"
        return await self._json(ZoomRequest("GET", path, LIGHT, cause))

    async def update_registrant_status(
        self,
        meeting_id: MeetingId,
        action: RegistrantAction,
        registrants: Sequence[Mapping[str, str]],
        *,
        cause: Mapping[str, str],
    ) -> None:
        """PUT /meetings/{id}/registrants/status (Medium), 30 registrants ({id, email}) per call."""
        path = f"{meeting_path(meeting_id)}/registrants/status"
        for start in range(0, len(registrants), STATUS_BATCH_SIZE):
            batch = [dict(r) for r in registrants[start : start + STATUS_BATCH_SIZE]]
            body = {"action": action, "registrants": batch}
            await self._call(ZoomRequest("PUT", path, MEDIUM, cause, body=body))
