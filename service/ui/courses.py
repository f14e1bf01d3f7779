"""Courses and one course with its Zoom state, errors verbatim, and "Sync now"."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.adapters import course_reads
from service.adapters.course_reads import CourseNotFound
from service.http.filters import SYNC_STATUSES
from service.http.input import storable
from service.http.runtime import runtime
from service.services.attendance import course_attendance
from service.services.course_sync import sync_now
from service.ui.render import first_rows, language, render, translator

MAX_ROWS = 500


def first_start(course: dict[str, Any]) -> str:
    sessions = course.get("sessions") or []
    if not sessions or not isinstance(sessions[0], dict):
        return "–"
    first = sessions[0]
    return f"{first.get('date', '')} {first.get('start', '')}".strip()


async def list_page(request: Request) -> Response:
    t = translator(language(request))
    wanted = request.query_params.get("sync_status") or None
    status, error = 200, None
    if wanted is not None and wanted not in SYNC_STATUSES:
        wanted, status, error = None, 422, t("sync_status_invalid")
    async with runtime(request).pool.acquire() as conn:
        courses = await course_reads.list_courses(
            conn, after=None, sync_status=wanted, limit=MAX_ROWS + 1
        )
    shown = first_rows(courses, MAX_ROWS)
    context = {
        "title": t("nav_courses"),
        **shown,
        "courses": [{**c, "start": first_start(c)} for c in shown["rows"]],
        "statuses": SYNC_STATUSES,
        "wanted": wanted or "",
    }
    return render(request, "courses.html", context, status=status, error=error)


async def _detail_page(
    request: Request, course: dict[str, Any] | None, *, message: str | None = None
) -> Response:
    t = translator(language(request))
    if course is None:
        return render(
            request,
            "base.html",
            {"title": t("not_found")},
            status=404,
            error=t("course_unknown", id=request.path_params["course_id"]),
        )
    rt = runtime(request)
    attendance = await course_attendance(rt.pool, course["id"], rt.settings.attendance_min_percent)
    context = {
        "title": course["title"],
        "course": course,
        "start": first_start(course),
        "attendance": attendance,
    }
    return render(request, "course.html", context, message=message)


def _course_id(request: Request) -> str | None:
    """None for an id no course can have (Postgres text holds no U+0000)."""
    course_id = str(request.path_params["course_id"])
    return course_id if storable(course_id) else None


async def detail_page(request: Request) -> Response:
    course_id = _course_id(request)
    if course_id is None:
        return await _detail_page(request, None)
    async with runtime(request).pool.acquire() as conn:
        try:
            course = await course_reads.detail(conn, course_id)
        except CourseNotFound:
            course = None
    return await _detail_page(request, course)


async def sync(request: Request) -> Response:
    t = translator(language(request))
    course_id = _course_id(request)
    if course_id is None:
        return await _detail_page(request, None)
    try:
        course = await sync_now(runtime(request), course_id)
    except CourseNotFound:
        return await _detail_page(request, None)
    return await _detail_page(request, course, message=t("course_sync_queued", n=course["queued"]))
