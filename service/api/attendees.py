"""Attendee endpoints: add one by hand, edit one, mark attendance for many (all or nothing)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.domain.attendance import InvalidAttendanceUpdates, parse_attendance_updates
from service.http import attendee_input, input
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.http.serialize import jsonable
from service.services import attendee_actions


async def add_attendee(request: Request) -> JSONResponse:
    """POST /api/v1/calendly/events/{id}/attendees {"name", "email"}: someone who came unbooked."""
    event_id = input.path_id(request, "event")
    problems = input.Problems()
    body = await input.json_object(request, frozenset({"name", "email"}), problems)
    name, email = attendee_input.new_attendee(body, problems)
    problems.raise_if_any()
    assert name is not None and email is not None
    created = await attendee_actions.add_manual(
        runtime(request).pool, event_id, name, email, input.actor(request)
    )
    return JSONResponse(jsonable(created), status_code=201)


async def edit_attendee(request: Request) -> JSONResponse:
    """PATCH /api/v1/attendees/{id}: only the fields sent change; null clears optional ones."""
    attendee_id = input.path_id(request, "attendee")
    problems = input.Problems()
    body = await input.json_object(request, attendee_input.EDITABLE, problems)
    changes = attendee_input.attendee_changes(body, problems)
    problems.raise_if_any()
    edited = await attendee_actions.edit(
        runtime(request).pool, attendee_id, changes, input.actor(request)
    )
    return JSONResponse(jsonable(edited))


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
