"""PUT /api/v1/calendly/event-types/{uuid}/zoom: a Calendly event type's invitees → one meeting."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.api.models.requests import ByEventTypeUuid, EventTypeZoom
from service.api.models.resources import Open
from service.api.operation import COURSES, Operation, ok
from service.http import input
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.http.validation import parse
from service.services.calendly_zoom_mapping import map_event_type
from service.services.unit_of_work import UnitOfWork

_EVENT_TYPE_UUID = re.compile(r"[A-Za-z0-9_-]{1,64}")


PUT_EVENT_TYPE_ZOOM = Operation(
    "Map a Calendly event type to a Zoom meeting (CONTRACT §4)",
    COURSES,
    ok(Open, "The mapping"),
    errors=(400, 404, 413, 422),
    path=ByEventTypeUuid,
    body=EventTypeZoom,
)


async def put_event_type_zoom(request: Request) -> JSONResponse:
    """Map the event type to `meeting_id`; every invitee of it is brought in line at once."""
    uuid = request.path_params["uuid"]
    if not _EVENT_TYPE_UUID.fullmatch(uuid):
        raise ApiError(404, f"no such Calendly event type: {uuid!r}")
    meeting_id = int(parse(EventTypeZoom, await input.json_body(request)).meeting_id)
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
