"""Attendance and analytics endpoints (CONTRACT §7, §8): thin shells over `service.services`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from service.api.pagination import encode_cursor, page_params
from service.domain.analytics import Period
from service.domain.zoom_attendance import ImportStatus
from service.http import input, query
from service.http.exports import course_attendance_csv, course_of
from service.http.runtime import runtime
from service.http.serialize import jsonable
from service.services import analytics, attendance
from service.services.attendance_marks import attendance_rules


async def course_attendance(request: Request) -> JSONResponse:
    return JSONResponse(jsonable(await course_of(request)))


def _listed(result: dict[str, object]) -> JSONResponse:
    before = result["next_before_id"]
    cursor = encode_cursor(before) if isinstance(before, int) else None
    return JSONResponse({"items": jsonable(result["items"]), "next_cursor": cursor})


async def list_imports(request: Request) -> JSONResponse:
    status = query.choice(request.query_params, "status", [s.value for s in ImportStatus])
    before_id, limit = page_params(request)
    result = await attendance.list_imports(
        runtime(request).pool,
        status=ImportStatus(status) if status else None,
        before_id=before_id,
        limit=limit,
    )
    return _listed(result)


async def list_unmatched(request: Request) -> JSONResponse:
    before_id, limit = page_params(request)
    result = await attendance.list_unmatched(
        runtime(request).pool, before_id=before_id, limit=limit
    )
    return _listed(result)


async def link_unmatched(request: Request) -> JSONResponse:
    """POST …/unmatched/{id}/link `{"attendee_id": 1}` or `{"booking_id": "B-1"}`."""
    unmatched_id = input.path_id(request, "unmatched participant")
    problems = input.Problems()
    body = await input.json_object(request, frozenset({"attendee_id", "booking_id"}), problems)
    attendee_id = body.get("attendee_id")
    booking_id = body.get("booking_id")
    if attendee_id is not None and (
        isinstance(attendee_id, bool)
        or not isinstance(attendee_id, int)
        or not 0 < attendee_id < 2**63
    ):
        problems.add("attendee_id", "expected an attendee id (a positive integer)")
    if booking_id is not None and (
        not isinstance(booking_id, str) or not booking_id.strip() or len(booking_id) > 100
    ):
        problems.add("booking_id", "expected a booking id (a non-empty string)")
    problems.raise_if_any()
    rt = runtime(request)
    linked = await attendance.link_unmatched(
        rt.pool,
        unmatched_id,
        attendee_id=attendee_id,
        booking_id=booking_id,
        by=input.actor(request),
        rules=attendance_rules(rt.settings),
        courier=rt.courier,
    )
    return JSONResponse(jsonable(linked))


async def webinar_analytics(request: Request) -> JSONResponse:
    values = request.query_params
    group = query.choice(values, "group", [p.value for p in Period]) or Period.WEEK.value
    start, end = query.moment(values, "from"), query.moment(values, "to")
    items = await analytics.webinar_stats(runtime(request).pool, start, end, Period(group))
    return JSONResponse({"group": group, "items": jsonable(items)})


async def pipeline_analytics(request: Request) -> JSONResponse:
    values = request.query_params
    start, end = query.moment(values, "from"), query.moment(values, "to")
    return JSONResponse(jsonable(await analytics.pipeline_stats(runtime(request).pool, start, end)))


async def course_analytics(request: Request) -> JSONResponse:
    values = request.query_params
    start, end = query.moment(values, "from"), query.moment(values, "to")
    rt = runtime(request)
    items = await analytics.course_stats(rt.pool, start, end, rt.settings.attendance_min_percent)
    return JSONResponse({"items": jsonable(items)})


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/courses/{course_id}/attendance", course_attendance, methods=["GET"]),
        Route("/api/v1/courses/{course_id}/attendance.csv", course_attendance_csv, methods=["GET"]),
        Route("/api/v1/attendance/imports", list_imports, methods=["GET"]),
        Route("/api/v1/attendance/unmatched", list_unmatched, methods=["GET"]),
        Route("/api/v1/attendance/unmatched/{id}/link", link_unmatched, methods=["POST"]),
        Route("/api/v1/analytics/webinars", webinar_analytics, methods=["GET"]),
        Route("/api/v1/analytics/pipeline", pipeline_analytics, methods=["GET"]),
        Route("/api/v1/analytics/courses", course_analytics, methods=["GET"]),
    ]
