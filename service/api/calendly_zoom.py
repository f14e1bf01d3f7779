"""PUT /api/v1/calendly/event-types/{uuid}/zoom: a Calendly event type's invitees → one meeting."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.domain.numbers import ascii_int
from service.http import input
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.services.calendly_zoom_mapping import map_event_type
from service.services.unit_of_work import UnitOfWork

MAX_MEETING_ID = 2**63 - 1  # Zoom meeting ids are 64-bit integers
_EVENT_TYPE_UUID = re.compile(r"[A-Za-z0-9_-]{1,64}")


async def put_event_type_zoom(request: Request) -> JSONResponse:
    """Map the event type to `meeting_id`; every invitee of it is brought in line at once."""
    uuid = request.path_params["uuid"]
    if not _EVENT_TYPE_UUID.fullmatch(uuid):
        raise ApiError(404, f"no such Calendly event type: {uuid!r}")
    problems = input.Problems()
    body = await input.json_object(request, frozenset({"meeting_id"}), problems)
    meeting_id = body.get("meeting_id")
    if isinstance(meeting_id, str) and ascii_int(meeting_id, max_digits=19) is not None:
        meeting_id = int(meeting_id)
    if (
        isinstance(meeting_id, bool)
        or not isinstance(meeting_id, int)
        or not 1 <= meeting_id <= MAX_MEETING_ID
    ):
        problems.add("meeting_id", "expected a Zoom meeting id: a positive 64-bit integer")
    problems.raise_if_any()
    rt = runtime(request)
    async with rt.pool.acquire() as conn:
        unit = UnitOfWork(conn)
        async with conn.transaction():
            invitees = await map_event_type(unit, uuid, meeting_id)
    await rt.courier.send_outbox(unit.outbox_ids)
    return JSONResponse(
        {
            "event_type_uuid": uuid,
            "meeting_id": meeting_id,
            "invitees": invitees,
            "queued": len(unit.outbox_ids),
        }
    )
