"""What the API takes: request bodies (checked by these models, `service.http.validation`)
and the path parameters of its routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from service.api.models import resources
from service.domain.numbers import ascii_int
from service.domain.sync_jobs import SyncMode
from service.http.fields import Flag, QueryText, TriState, instant
from service.http.filters import LetterFields
from service.http.input import storable
from service.http.validation import CLOSED, Check, refuse

MAX_MEETING_ID = 2**63 - 1  # Zoom meeting ids are 64-bit integers
BIGINT_MAX = 2**63 - 1


def _mode(value: Any) -> Any:
    if value not in list(SyncMode):  # a list: the value may be unhashable JSON
        refuse("expected recent, since or full")
    return value


class SyncBody(BaseModel):
    """An empty body means `recent`; `since` belongs to mode `since` only."""

    model_config = CLOSED

    mode: Annotated[resources.SyncMode, Check(_mode)] = "recent"
    since: datetime | None = Field(default=None, validate_default=True)

    @field_validator("since", mode="before")
    @classmethod
    def _since_fits_mode(cls, value: Any, info: ValidationInfo) -> datetime | None:
        if info.data.get("mode") == "since":
            if not isinstance(value, str):
                refuse("required with mode since: an ISO-8601 date or date-time")
            return instant(value)
        if value is not None:
            refuse("only allowed with mode since")
        return None


def _teacher_id(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or not storable(value):
        refuse("required: a user id")
    return value


def _webinar_date(value: Any) -> datetime:
    if not isinstance(value, str):
        refuse("required: an ISO-8601 date-time")
    return instant(value)


class NewParticipation(BaseModel):
    model_config = CLOSED

    teacher_id: Annotated[str | int, Check(_teacher_id, minLength=1)]
    webinar_date: Annotated[datetime, Check(_webinar_date)]


class ParticipationPatch(BaseModel):
    model_config = CLOSED

    participated: Annotated[bool | None, TriState()]


def _meeting_id(value: Any) -> int:
    if isinstance(value, str) and ascii_int(value, max_digits=19) is not None:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MEETING_ID:
        refuse("expected a Zoom meeting id: a positive 64-bit integer")
    return value


class EventTypeZoom(BaseModel):
    """CONTRACT §4: the meeting every invitee of the event type is registered for."""

    model_config = CLOSED

    meeting_id: Annotated[
        int | str, Check(_meeting_id, minimum=1, maximum=MAX_MEETING_ID, pattern="^[0-9]{1,19}$")
    ]


def _attendee_id(value: Any) -> int | None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= BIGINT_MAX
    ):
        refuse("expected an attendee id (a positive integer)")
    return value


def _booking_id(value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 100):
        refuse("expected a booking id (a non-empty string)")
    return value


class UnmatchedLink(BaseModel):
    """Link to an attendee or to a booking (the use case refuses neither or both)."""

    model_config = CLOSED

    attendee_id: Annotated[int | None, Check(_attendee_id, minimum=1)] = None
    booking_id: Annotated[str | None, Check(_booking_id, minLength=1, maxLength=100)] = None


class AttendanceMark(BaseModel):
    model_config = CLOSED

    attendee_id: Annotated[int, Field(ge=1)]
    attended: bool | None


class AttendanceMarks(BaseModel):
    """Described here; checked by `service.domain.attendance.parse_attendance_updates`
    (all or nothing, each attendee once)."""

    model_config = CLOSED

    updates: list[AttendanceMark]


class DryRun(BaseModel):
    """An optional body: `dry_run` to preview."""

    dry_run: Annotated[bool, Flag()] = False


class ReplayFilter(LetterFields, DryRun):
    """Replay open letters by filter; an empty filter must say `"all": true`."""

    all: Annotated[bool, Flag()] = False


def _reason(value: Any) -> str:
    text = QueryText().check(value)
    if text is None or not text.strip():
        refuse("say why the letter is discarded")
    return text.strip()


class Discard(BaseModel):
    """The audit must say why."""

    reason: Annotated[str, Check(_reason, minLength=1)]


class ById(BaseModel):
    id: Annotated[int, Field(ge=1)]


class ByUserId(BaseModel):
    id: str


class ByCourseId(BaseModel):
    course_id: str


class ByJobId(BaseModel):
    job_id: UUID


class ByEventTypeUuid(BaseModel):
    uuid: str


class Webhook(BaseModel):
    """A vendor's event as signed; `service/webhooks` reads it."""

    model_config = ConfigDict(extra="allow")
