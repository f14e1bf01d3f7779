"""Courses and their Zoom state (CONTRACT §5 "Courses (Zoom)"): list, detail, and "sync now"."""

from __future__ import annotations

import base64

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.adapters import course_reads
from service.adapters.course_reads import CourseNotFound
from service.api.models.queries import CoursesQuery
from service.api.models.requests import ByCourseId
from service.api.models.resources import Course, CourseDetail, Open, Page
from service.api.operation import COURSES, Operation, ok
from service.http import input
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.http.validation import parse_query
from service.services.course_sync import sync_now


def _cursor(course_id: str) -> str:
    return base64.urlsafe_b64encode(course_id.encode()).decode().rstrip("=")


def _after(cursor: str | None) -> str | None:
    """Course ids are the booking system's strings, so the cursor carries the last id seen."""
    if not cursor:
        return None
    try:
        after = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        after = None
    if after is None or not input.storable(after):
        raise ApiError(
            422, "invalid cursor", [{"field": "cursor", "problem": "not a cursor this API issued"}]
        )
    return after


LIST_COURSES = Operation(
    "Courses, optionally by Zoom sync status",
    COURSES,
    ok(Page[Course], "Courses"),
    errors=(422,),
    query=CoursesQuery,
)


async def list_courses(request: Request) -> JSONResponse:
    wanted = parse_query(CoursesQuery, request.query_params)
    limit = wanted.limit
    async with runtime(request).pool.acquire() as conn:
        rows = await course_reads.list_courses(
            conn, after=_after(wanted.cursor), sync_status=wanted.sync_status, limit=limit + 1
        )
    items = rows[:limit]
    next_cursor = _cursor(items[-1]["id"]) if len(rows) > limit else None
    return JSONResponse({"items": items, "next_cursor": next_cursor})


GET_COURSE = Operation(
    "A course with its Zoom state and bookings",
    COURSES,
    ok(CourseDetail, "The course"),
    errors=(404,),
    path=ByCourseId,
)


async def get_course(request: Request) -> JSONResponse:
    course_id = input.course_id(request)
    async with runtime(request).pool.acquire() as conn:
        try:
            return JSONResponse(await course_reads.detail(conn, course_id))
        except CourseNotFound as error:
            raise ApiError(404, str(error)) from None


SYNC_COURSE = Operation(
    "Re-validate and sync the course to Zoom now",
    COURSES,
    ok(Open, "Accepted", 202),
    errors=(404, 409),
    path=ByCourseId,
)


async def sync_course(request: Request) -> JSONResponse:
    """Validate again and queue what Zoom needs now; failed work is tried again."""
    try:
        detail = await sync_now(runtime(request), input.course_id(request))
    except CourseNotFound as error:
        raise ApiError(404, str(error)) from None
    return JSONResponse(detail, status_code=202)
