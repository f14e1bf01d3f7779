"""Info-webinar reads: the event list, one event with its attendees, the upcoming webinars."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.adapters import webinars
from service.api.models.queries import EventsQuery, UpcomingQuery
from service.api.models.requests import ById
from service.api.models.resources import CalendlyEvent, EventDetail, Page, UpcomingWebinar
from service.api.operation import CSV, WEBINARS, Operation, ok
from service.http import keyset
from service.http.exports import event_of
from service.http.runtime import runtime
from service.http.serialize import jsonable
from service.http.validation import parse_query

EXPORT_ATTENDEES = Operation(
    "Attendees as CSV for Excel (UTF-8 BOM, `;`, CRLF, all quoted)",
    WEBINARS,
    CSV,
    errors=(404,),
    path=ById,
)


LIST_EVENTS = Operation(
    "Calendly events by start time; all statuses unless `status` is given",
    WEBINARS,
    ok(Page[CalendlyEvent], "Events"),
    errors=(422,),
    query=EventsQuery,
)


async def list_events(request: Request) -> JSONResponse:
    """`from` / `to` bound the start time; a date as `to` includes that whole day (UTC)."""
    wanted = parse_query(EventsQuery, request.query_params)
    async with runtime(request).pool.acquire() as conn:
        rows = await webinars.list_events(
            conn,
            start_from=wanted.start_from,
            start_before=wanted.start_before,
            status=wanted.status,
            after=keyset.after_time_and_id(wanted.cursor),
            limit=wanted.limit + 1,
        )
    return JSONResponse(_page(rows, wanted.limit))


GET_EVENT = Operation(
    "One event with its attendees", WEBINARS, ok(EventDetail, "The event"), errors=(404,), path=ById
)


async def get_event(request: Request) -> JSONResponse:
    return JSONResponse(jsonable(await event_of(request)))


UPCOMING_WEBINARS = Operation(
    "Active webinars not yet over starting within `days`, with attendance counts",
    WEBINARS,
    ok(Page[UpcomingWebinar], "Upcoming webinars"),
    errors=(422,),
    query=UpcomingQuery,
)


async def upcoming_webinars(request: Request) -> JSONResponse:
    """Active webinars not yet over that start within `days` (default 14), soonest first."""
    wanted = parse_query(UpcomingQuery, request.query_params)
    async with runtime(request).pool.acquire() as conn:
        rows = await webinars.upcoming(
            conn,
            days=wanted.days,
            after=keyset.after_time_and_id(wanted.cursor),
            limit=wanted.limit + 1,
        )
    return JSONResponse(_page(rows, wanted.limit))


def _page(rows: list[dict[str, object]], limit: int) -> dict[str, object]:
    more = len(rows) > limit
    items = rows[:limit]
    cursor = None
    if more:
        last = items[-1]
        cursor = keyset.encode(last["start_time"], last["id"])
    return {"items": jsonable(items), "next_cursor": cursor}
