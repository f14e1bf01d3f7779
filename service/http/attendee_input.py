"""The attendee fields an admin may set, checked the same way by the API and the web UI."""

from __future__ import annotations

from typing import Any

from service.http import input

NAME_MAX = 200
PROGNOSIS_START_MAX = 100
NOTES_MAX = 10_000
CLASS_COUNT_MAX = 10_000


def new_attendee(body: dict[str, Any], problems: input.Problems) -> tuple[str | None, str | None]:
    """The name and email of an attendee added by hand (the API's and the UI's rule)."""
    name = input.text(body, "name", problems, max_length=NAME_MAX, nullable=False)
    return name, input.email(body, "email", problems)


def attendee_changes(body: dict[str, Any], problems: input.Problems) -> dict[str, Any]:
    """The fields of an attendee edit that are present in `body`, validated."""
    return {key: _FIELDS[key](body, problems) for key in _FIELDS if key in body}


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


EDITABLE = frozenset(_FIELDS)
