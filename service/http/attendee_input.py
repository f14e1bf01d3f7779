"""The attendee fields an admin may set, checked the same way by the API and the web UI."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel

from service.http.fields import Email, Text, UserId, WholeNumber
from service.http.validation import CLOSED

NAME_MAX = 200
PROGNOSIS_START_MAX = 100
NOTES_MAX = 10_000
CLASS_COUNT_MAX = 10_000


class NewAttendee(BaseModel):
    """Someone who came unbooked, added by hand."""

    model_config = CLOSED

    name: Annotated[str, Text(NAME_MAX)]
    email: Annotated[str, Email()]


class AttendeeEdit(BaseModel):
    """Only the fields sent change; null clears the optional ones."""

    model_config = CLOSED

    name: Annotated[str, Text(NAME_MAX)] = ""
    email: Annotated[str, Email()] = ""
    user_id: Annotated[str | int | None, UserId()] = None
    prognosis_class_count: Annotated[int | None, WholeNumber(0, CLASS_COUNT_MAX)] = None
    prognosis_start: Annotated[str | None, Text(PROGNOSIS_START_MAX, nullable=True)] = None
    notes: Annotated[str | None, Text(NOTES_MAX, nullable=True)] = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)
