"""Attendee endpoints: add one by hand, edit one, mark attendance for many (all or nothing)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.api.models.requests import AttendanceMarks, ById
from service.api.models.resources import Attendee, Page
from service.api.operation import WEBINARS, Operation, ok
from service.domain.attendance import InvalidAttendanceUpdates, parse_attendance_updates
from service.http import input
from service.http.attendee_input import AttendeeEdit, NewAttendee
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.http.serialize import jsonable
from service.http.validation import parse
from service.services import attendee_actions

ADD_ATTENDEE = Operation(
    "Add an attendee by hand",
    WEBINARS,
    ok(Attendee, "Created", 201),
    errors=(400, 404, 409, 413, 422),
    path=ById,
    body=NewAttendee,
)


async def add_attendee(request: Request) -> JSONResponse:
    """POST /api/v1/calendly/events/{id}/attendees {"name", "email"}: someone who came unbooked."""
    event_id = input.path_id(request, "event")
    new = parse(NewAttendee, await input.json_body(request))
    created = await attendee_actions.add_manual(
        runtime(request).pool, event_id, new.name, new.email, input.actor(request)
    )
    return JSONResponse(jsonable(created), status_code=201)


EDIT_ATTENDEE = Operation(
    "Edit an attendee; only the fields sent change",
    WEBINARS,
    ok(Attendee, "The attendee"),
    errors=(400, 404, 413, 422),
    path=ById,
    body=AttendeeEdit,
)


async def edit_attendee(request: Request) -> JSONResponse:
    """PATCH /api/v1/attendees/{id}: only the fields sent change; null clears optional ones."""
    attendee_id = input.path_id(request, "attendee")
    changes = parse(AttendeeEdit, await input.json_body(request)).changes()
    edited = await attendee_actions.edit(
        runtime(request).pool, attendee_id, changes, input.actor(request)
    )
    return JSONResponse(jsonable(edited))


SET_ATTENDANCE = Operation(
    "Set attendance of many attendees, all or nothing (null = pending)",
    WEBINARS,
    ok(Page[Attendee], "The attendees as now stored"),
    errors=(400, 413, 422),
    body=AttendanceMarks,
)


async def set_attendance(request: Request) -> JSONResponse:
    """PUT /api/v1/attendees/attendance {"updates": [{"attendee_id", "attended"}]}."""
    body = await input.json_body(request)
    try:
        updates = parse_attendance_updates(body)
    except InvalidAttendanceUpdates as error:
        details = [{"field": p.field, "problem": p.message} for p in error.problems]
        raise ApiError(422, "nothing was changed: the updates are invalid", details) from None
    rt = runtime(request)
    changed = await attendee_actions.mark_attendance(
        rt.pool, rt.courier, rt.settings, updates, input.actor(request)
    )
    return JSONResponse({"items": jsonable(changed), "next_cursor": None})
