"""The web UI's routes (CONTRACT §6); service/ui/guard.py decides who may reach them."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from service.http.exports import course_attendance_csv, export_attendees
from service.ui import (
    analytics,
    attendee_edit,
    courses,
    event,
    login,
    ops,
    people,
    unmatched,
    webinars,
)

STATIC = Path(__file__).parent / "static"


async def root(_request: Request) -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


async def home(_request: Request) -> RedirectResponse:
    return RedirectResponse("/ui/webinars", status_code=307)


def routes() -> list[BaseRoute]:
    return [
        Route("/", root, methods=["GET"]),
        Route("/ui", home, methods=["GET"]),
        Route("/ui/", home, methods=["GET"]),
        Mount("/ui/static", app=StaticFiles(directory=STATIC), name="ui-static"),
        Route("/ui/login", login.show_login, methods=["GET"]),
        Route("/ui/login", login.sign_in, methods=["POST"]),
        Route("/ui/logout", login.sign_out, methods=["POST"]),
        Route("/ui/webinars", webinars.show, methods=["GET"]),
        Route("/ui/webinars/sync", webinars.start_sync, methods=["POST"]),
        Route("/ui/webinars/sync/{job_id}", webinars.sync_status, methods=["GET"]),
        Route("/ui/webinars/{id}", event.show, methods=["GET"]),
        Route("/ui/webinars/{id}/attendance", event.mark, methods=["POST"]),
        Route("/ui/webinars/{id}/attendees", event.add, methods=["POST"]),
        Route("/ui/webinars/{id}/attendees.csv", export_attendees, methods=["GET"]),
        Route("/ui/attendees/{id}/edit", attendee_edit.show, methods=["GET"]),
        Route("/ui/attendees/{id}", attendee_edit.save, methods=["POST"]),
        Route("/ui/attendees/{id}/link", attendee_edit.link, methods=["POST"]),
        Route("/ui/courses", courses.list_page, methods=["GET"]),
        Route("/ui/courses/{course_id}", courses.detail_page, methods=["GET"]),
        Route("/ui/courses/{course_id}/sync", courses.sync, methods=["POST"]),
        Route("/ui/courses/{course_id}/attendance.csv", course_attendance_csv, methods=["GET"]),
        Route("/ui/teachers", people.teachers_page, methods=["GET"]),
        Route("/ui/notifications", people.notifications_page, methods=["GET"]),
        Route("/ui/analytics", analytics.show, methods=["GET"]),
        Route("/ui/attendance/unmatched", unmatched.show, methods=["GET"]),
        Route("/ui/attendance/unmatched/{id}/link", unmatched.link, methods=["POST"]),
        Route("/ui/ops/dead-letters", ops.list_letters, methods=["GET"]),
        Route("/ui/ops/dead-letters/replay", ops.replay_matching, methods=["POST"]),
        Route("/ui/ops/dead-letters/{id}", ops.show_letter, methods=["GET"]),
        Route("/ui/ops/dead-letters/{id}/replay", ops.replay, methods=["POST"]),
        Route("/ui/ops/dead-letters/{id}/discard", ops.discard, methods=["POST"]),
        Route("/ui/ops/integration-log", ops.log_page, methods=["GET"]),
    ]
