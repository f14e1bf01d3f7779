"""Info-webinar reads: the event list, one event with its attendees, the upcoming webinars."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.adapters import webinars
from service.api.models.queries import EventsQuery, UpcomingQuery
from service.api.models.requests import ById
from service.api.models.resources import CalendlyEvent, EventDetail, Page, UpcomingWebinar
from service.api.operation import CSV, WEBINARS, Operation, ok
from service.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.domain.numbers import ascii_int
from service.http import input, keyset
from service.http.exports import event_of
from service.http.filters import DEFAULT_UPCOMING_DAYS, MAX_UPCOMING_DAYS
from service.http.runtime import runtime
from service.http.serialize import jsonable

STATUSES = ("active", "canceled")
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
    params = request.query_params
    problems = input.Problems()
    start_from = input.instant(params.get("from"), "from", problems)
    start_to = input.instant(params.get("to"), "to", problems)
    status = params.get("status")
    if status is not None and status not in STATUSES:
        problems.add("status", "expected active or canceled")
    limit = _limit(request, problems)
    after = keyset.after_time_and_id(request)
    problems.raise_if_any()
    before = None
    if start_to is not None:
        moment, date_only = start_to
        before = moment + timedelta(days=1) if date_only else moment + timedelta(microseconds=1)
    async with runtime(request).pool.acquire() as conn:
        rows = await webinars.list_events(
            conn,
            start_from=start_from[0] if start_from else None,
            start_before=before,
            status=status,
            after=after,
            limit=limit + 1,
        )
    return JSONResponse(_page(rows, limit))


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
    problems = input.Problems()
    days = ascii_int(request.query_params.get("days", str(DEFAULT_UPCOMING_DAYS)))
    if days is None or not 1 <= days <= MAX_UPCOMING_DAYS:
        problems.add("days", f"expected a whole number 1–{MAX_UPCOMING_DAYS}")
    limit = _limit(request, problems)
    after = keyset.after_time_and_id(request)
    problems.raise_if_any()
    assert days is not None
    async with runtime(request).pool.acquire() as conn:
        rows = await webinars.upcoming(conn, days=days, after=after, limit=limit + 1)
    return JSONResponse(_page(rows, limit))


def _limit(request: Request, problems: input.Problems) -> int:
    limit = ascii_int(request.query_params.get("limit", str(DEFAULT_LIMIT)))
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        problems.add("limit", f"expected 1–{MAX_LIMIT}")
        return DEFAULT_LIMIT
    return limit


def _page(rows: list[dict[str, object]], limit: int) -> dict[str, object]:
    more = len(rows) > limit
    items = rows[:limit]
    cursor = None
    if more:
        last = items[-1]
        cursor = keyset.encode(last["start_time"], last["id"])
    return {"items": jsonable(items), "next_cursor": cursor}
