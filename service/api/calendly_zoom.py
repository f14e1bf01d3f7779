"""PUT /api/v1/calendly/event-types/{uuid}/zoom: a Calendly event type's invitees → one meeting."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.api.errors import ApiError
from service.api.runtime import runtime
from service.workers.calendly_zoom import map_event_type
from service.workers.unit_of_work import UnitOfWork


async def put_event_type_zoom(request: Request) -> JSONResponse:
    """Map the event type to `meeting_id`; every invitee of it is brought in line at once."""
    try:
        body = json.loads(await request.body())
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, "body is not JSON") from None
    meeting_id = body.get("meeting_id") if isinstance(body, dict) else None
    if isinstance(meeting_id, str) and meeting_id.isdigit():
        meeting_id = int(meeting_id)
    if not isinstance(meeting_id, int) or isinstance(meeting_id, bool) or meeting_id <= 0:
        raise ApiError(
            422,
            "invalid meeting_id",
            [{"field": "meeting_id", "problem": "expected a Zoom meeting id (a positive integer)"}],
        )
    uuid = request.path_params["uuid"]
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
