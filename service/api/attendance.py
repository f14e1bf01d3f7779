"""Attendance and analytics endpoints (CONTRACT §7, §8): thin shells over `service.services`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute

from service.api.models.queries import ImportsQuery, Paged, PeriodQuery, WebinarAnalyticsQuery
from service.api.models.requests import ByCourseId, ById, UnmatchedLink
from service.api.models.resources import (
    AttendanceImport,
    CourseAttendance,
    CourseStats,
    Page,
    PipelineStages,
    UnmatchedParticipant,
    WebinarPeriods,
)
from service.api.operation import ANALYTICS, ATTENDANCE, CSV, ApiRoute, Operation, ok
from service.api.pagination import encode_cursor
from service.http import input
from service.http.exports import course_attendance_csv, course_of
from service.http.runtime import runtime
from service.http.serialize import jsonable
from service.http.validation import parse, parse_query
from service.services import analytics, attendance
from service.services.attendance_marks import attendance_rules

COURSE_ATTENDANCE = Operation(
    "Per session, per booking: attended and minutes (from Zoom)",
    ATTENDANCE,
    ok(CourseAttendance, "Attendance"),
    errors=(404,),
    path=ByCourseId,
)


async def course_attendance(request: Request) -> JSONResponse:
    return JSONResponse(jsonable(await course_of(request)))


COURSE_ATTENDANCE_CSV = Operation(
    "The course's attendance as CSV (UTF-8 with BOM, `;`)",
    ATTENDANCE,
    CSV,
    errors=(404,),
    path=ByCourseId,
)


def _listed(result: dict[str, object]) -> JSONResponse:
    before = result["next_before_id"]
    cursor = encode_cursor(before) if isinstance(before, int) else None
    return JSONResponse({"items": jsonable(result["items"]), "next_cursor": cursor})


LIST_IMPORTS = Operation(
    "Attendance imports of Zoom meeting instances, newest first",
    ATTENDANCE,
    ok(Page[AttendanceImport], "Imports"),
    errors=(422,),
    query=ImportsQuery,
)


async def list_imports(request: Request) -> JSONResponse:
    wanted = parse_query(ImportsQuery, request.query_params)
    before_id, limit = wanted.page()
    result = await attendance.list_imports(
        runtime(request).pool,
        status=wanted.status,
        before_id=before_id,
        limit=limit,
    )
    return _listed(result)


LIST_UNMATCHED = Operation(
    "Zoom participants no registration explains, waiting to be linked",
    ATTENDANCE,
    ok(Page[UnmatchedParticipant], "Unmatched participants"),
    errors=(422,),
    query=Paged,
)


async def list_unmatched(request: Request) -> JSONResponse:
    before_id, limit = parse_query(Paged, request.query_params).page()
    result = await attendance.list_unmatched(
        runtime(request).pool, before_id=before_id, limit=limit
    )
    return _listed(result)


LINK_UNMATCHED = Operation(
    "Link an unmatched participant to an attendee or a booking (as if it matched)",
    ATTENDANCE,
    ok(UnmatchedParticipant, "Linked"),
    errors=(400, 404, 409, 413, 422),
    path=ById,
    body=UnmatchedLink,
)


async def link_unmatched(request: Request) -> JSONResponse:
    """POST …/unmatched/{id}/link `{"attendee_id": 1}` or `{"booking_id": "B-1"}`."""
    unmatched_id = input.path_id(request, "unmatched participant")
    link = parse(UnmatchedLink, await input.json_body(request))
    rt = runtime(request)
    linked = await attendance.link_unmatched(
        rt.pool,
        unmatched_id,
        attendee_id=link.attendee_id,
        booking_id=link.booking_id,
        by=input.actor(request),
        rules=attendance_rules(rt.settings),
        courier=rt.courier,
    )
    return JSONResponse(jsonable(linked))


WEBINAR_ANALYTICS = Operation(
    "Info-webinar attendance and no-show rates per week or month (docs/attendance.md)",
    ANALYTICS,
    ok(WebinarPeriods, "Periods"),
    errors=(422,),
    query=WebinarAnalyticsQuery,
)


async def webinar_analytics(request: Request) -> JSONResponse:
    wanted = parse_query(WebinarAnalyticsQuery, request.query_params)
    items = await analytics.webinar_stats(
        runtime(request).pool, wanted.start, wanted.end, wanted.group
    )
    return JSONResponse({"group": wanted.group.value, "items": jsonable(items)})


PIPELINE_ANALYTICS = Operation(
    "Teachers per pipeline stage now, and the transitions in the period",
    ANALYTICS,
    ok(PipelineStages, "Pipeline"),
    errors=(422,),
    query=PeriodQuery,
)


async def pipeline_analytics(request: Request) -> JSONResponse:
    wanted = parse_query(PeriodQuery, request.query_params)
    stats = await analytics.pipeline_stats(runtime(request).pool, wanted.start, wanted.end)
    return JSONResponse(jsonable(stats))


COURSE_ANALYTICS = Operation(
    "Per course: bookings, sessions, attendance rate of each imported session",
    ANALYTICS,
    ok(CourseStats, "Courses"),
    errors=(422,),
    query=PeriodQuery,
)


async def course_analytics(request: Request) -> JSONResponse:
    wanted = parse_query(PeriodQuery, request.query_params)
    rt = runtime(request)
    items = await analytics.course_stats(
        rt.pool, wanted.start, wanted.end, rt.settings.attendance_min_percent
    )
    return JSONResponse({"items": jsonable(items)})


def routes() -> list[BaseRoute]:
    return [
        ApiRoute(
            "/api/v1/courses/{course_id}/attendance", course_attendance, "GET", COURSE_ATTENDANCE
        ),
        ApiRoute(
            "/api/v1/courses/{course_id}/attendance.csv",
            course_attendance_csv,
            "GET",
            COURSE_ATTENDANCE_CSV,
        ),
        ApiRoute("/api/v1/attendance/imports", list_imports, "GET", LIST_IMPORTS),
        ApiRoute("/api/v1/attendance/unmatched", list_unmatched, "GET", LIST_UNMATCHED),
        ApiRoute("/api/v1/attendance/unmatched/{id}/link", link_unmatched, "POST", LINK_UNMATCHED),
        ApiRoute("/api/v1/analytics/webinars", webinar_analytics, "GET", WEBINAR_ANALYTICS),
        ApiRoute("/api/v1/analytics/pipeline", pipeline_analytics, "GET", PIPELINE_ANALYTICS),
        ApiRoute("/api/v1/analytics/courses", course_analytics, "GET", COURSE_ANALYTICS),
    ]
