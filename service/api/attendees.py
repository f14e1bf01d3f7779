"""Attendee endpoints: add one by hand, edit one, mark attendance for many (all or nothing)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.domain.attendance import (
    AttendanceUpdate,
    InvalidAttendanceUpdates,
    parse_attendance_updates,
)
from service.http import input
from service.http.errors import ApiError
from service.http.runtime import ApiRuntime, runtime
from service.http.serialize import jsonable
from service.services import attendee_actions

NAME_MAX = 200
PROGNOSIS_START_MAX = 100
NOTES_MAX = 10_000
CLASS_COUNT_MAX = 10_000


async def add_attendee(request: Request) -> JSONResponse:
    """POST /api/v1/calendly/events/{id}/attendees {"name", "email"}: someone who came unbooked."""
    event_id = input.path_id(request, "event")
    problems = input.Problems()
    body = await input.json_object(request, frozenset({"name", "email"}), problems)
    name, email = new_attendee(body, problems)
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
    body = await input.json_object(request, frozenset(_FIELDS), problems)
    changes = attendee_changes(body, problems)
    problems.raise_if_any()
    edited = await attendee_actions.edit(
        runtime(request).pool, attendee_id, changes, input.actor(request)
    )
    return JSONResponse(jsonable(edited))


def new_attendee(body: dict[str, Any], problems: input.Problems) -> tuple[str | None, str | None]:
    """The name and email of an attendee added by hand (the API's and the UI's rule)."""
    name = input.text(body, "name", problems, max_length=NAME_MAX, nullable=False)
    return name, input.email(body, "email", problems)


def attendee_changes(body: dict[str, Any], problems: input.Problems) -> dict[str, Any]:
    """The fields of an attendee edit that are present in `body`, validated."""
    return {key: _FIELDS[key](body, problems) for key in _FIELDS if key in body}


async def set_attendance(request: Request) -> JSONResponse:
    """PUT /api/v1/attendees/attendance {"updates": [{"attendee_id", "attended"}]}."""
    body = await input.json_body(request)
    try:
        updates = parse_attendance_updates(body)
    except InvalidAttendanceUpdates as error:
        details = [{"field": p.field, "problem": p.message} for p in error.problems]
        raise ApiError(422, "nothing was changed: the updates are invalid", details) from None
    changed = await mark_in(runtime(request), updates, input.actor(request))
    return JSONResponse({"items": jsonable(changed), "next_cursor": None})


async def mark_in(
    rt: ApiRuntime, updates: tuple[AttendanceUpdate, ...], by: str
) -> list[dict[str, Any]]:
    """Marks by hand as the API and the UI make them: no-shows pushed to Calendly when the
    settings say so, sent at once through this process's courier."""
    return await attendee_actions.mark_attendance(
        rt.pool, updates, by, rt.courier, push_no_shows=rt.settings.push_no_shows
    )


def _user_id(body: dict[str, Any], problems: input.Problems) -> str | None:
    value = body["user_id"]
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip() and len(value) <= 100 and input.storable(value):
        return value.strip()
    problems.add("user_id", "expected a user id (string or integer) or null")
    return None


_FIELDS: dict[str, Any] = {
    "name": lambda body, problems: input.text(
        body, "name", problems, max_length=NAME_MAX, nullable=False
    ),
    "email": lambda body, problems: input.email(body, "email", problems),
    "user_id": _user_id,
    "prognosis_class_count": lambda body, problems: input.whole_number(
        body, "prognosis_class_count", problems, minimum=0, maximum=CLASS_COUNT_MAX
    ),
    "prognosis_start": lambda body, problems: input.text(
        body, "prognosis_start", problems, max_length=PROGNOSIS_START_MAX, nullable=True
    ),
    "notes": lambda body, problems: input.text(
        body, "notes", problems, max_length=NOTES_MAX, nullable=True
    ),
}
