"""What the API answers (CONTRACT §5 "Resource shapes"; more fields are welcome).

Fields every answer carries have no default (required in the document); those only some
answers carry have one (`ABSENT` where the field, when present, is never null). `Any` marks
a field the contract names but leaves to its owner.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Count = Annotated[int, Field(ge=0)]
Rate = Annotated[float, Field(ge=0, le=1)]
Status = Literal["active", "canceled"]
Source = Literal["calendly", "booking", "zoom"]

Item = TypeVar("Item", bound=BaseModel)

# The default of a field some answers leave out but none sends as null: not required in the
# document, and not nullable (the document shows no defaults, service/api/document.py).
ABSENT: Any = None


class Page(BaseModel, Generic[Item]):
    """Every list: newest first, `next_cursor` null on the last page."""

    items: list[Item]
    next_cursor: str | None


class Open(BaseModel):
    """An object whose fields the contract does not fix."""

    model_config = ConfigDict(extra="allow")


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[Any]


class Error(BaseModel):
    """CONTRACT §5: every refusal; a 422's `details` lists each problem as {field, problem}."""

    error: ErrorBody


class CalendlyEvent(BaseModel):
    id: int
    uri: str
    name: str
    status: Status
    start_time: datetime
    end_time: datetime
    location: str | None
    location_kind: str | None = None
    event_type: str | None = None
    attendee_count: Count


class Attendee(BaseModel):
    id: int
    uri: str | None
    event_id: int
    name: str
    email: str
    status: Status
    attended: bool | None
    user_id: str | None  # the booking system's user id (docs/architecture.md, "Choices")
    prognosis_class_count: Count | None
    prognosis_start: str | None
    notes: str | None
    rescheduled_from: str | None
    rescheduled_to: str | None
    source: Literal["calendly", "manual"] = "calendly"
    attendance_marked_at: datetime | None = None
    attendance_marked_by: str | None = None
    created_at: datetime = ABSENT
    updated_at: datetime = ABSENT
    attendance_source: Literal["manual", "zoom"] | None = None
    zoom_minutes: Count | None = None
    zoom_attended: bool | None = None


class EventDetail(CalendlyEvent):
    attendees: list[Attendee]


class UpcomingWebinar(CalendlyEvent):
    participation_count: Count
    pending_count: Count
    participated_count: Count
    not_participated_count: Count


class User(BaseModel):
    id: str
    name: str
    email: str | None
    role: str
    pipeline_status: Literal[
        "infowebinar_besuchen", "infowebinar_gebucht", "nicht_teilgenommen", "schule_aktiv"
    ]
    pipeline_status_code: Literal[4, 6, 7, 8] = ABSENT


class Participation(BaseModel):
    id: int
    teacher_id: str
    webinar_date: datetime
    participated: bool | None
    updated_by: str | None = None
    created_at: datetime = ABSENT
    updated_at: datetime = ABSENT


SyncMode = Literal["recent", "since", "full"]


class SyncJob(BaseModel):
    id: UUID
    mode: SyncMode = ABSENT
    since: datetime | None = None
    status: Literal["queued", "running", "succeeded", "failed"]
    synced: Count
    new: Count
    updated: Count
    error: str | None
    requested_by: str | None = None
    created_at: datetime = ABSENT
    started_at: datetime | None = None
    finished_at: datetime | None = None


class SyncStarted(BaseModel):
    job_id: str


class LastSync(BaseModel):
    last_sync_time: datetime | None


class Course(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    version: int
    title: Any
    status: Any


class ZoomProblem(BaseModel):
    code: Any
    message: Any


class CourseZoom(BaseModel):
    meeting_id: Any
    join_url: Any
    sync_status: Any
    errors: list[ZoomProblem]


class CourseBooking(BaseModel):
    id: Any
    status: Any
    email: Any
    registrant: Any
    errors: Any


class CourseDetail(Course):
    sessions: Any
    zoom: CourseZoom
    bookings: list[CourseBooking]


class LetterError(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    class_: str = Field(alias="class")
    message: str


class DeadLetter(BaseModel):
    id: Any
    source: Source
    queue: Literal["inbox", "outbox"] = ABSENT
    type: Any
    error: LetterError
    attempts: Any
    created_at: Any
    payload: Any


class BookingAttendance(BaseModel):
    booking_id: str
    name: str | None = None
    email: str | None = None
    attended: bool | None
    minutes: Count | None


class SessionAttendance(BaseModel):
    date: date
    start_time: datetime = ABSENT
    duration_minutes: int = ABSENT
    uuid: str | None
    uuids: list[str] = []
    imported: bool = False
    attended_count: Count = 0
    bookings: list[BookingAttendance]


class CourseAttendance(BaseModel):
    course_id: str
    min_percent: int = ABSENT
    sessions: list[SessionAttendance]


class AttendanceImport(BaseModel):
    id: int = ABSENT
    meeting_id: int
    uuid: str
    started_at: datetime | None = None
    ended_at: datetime | None
    status: Literal["pending", "done", "failed"]
    participants: Count
    matched: Count
    unmatched: Count
    pages: Count = 0
    last_error: str | None = None


class UnmatchedParticipant(BaseModel):
    id: int
    meeting_id: int
    uuid: str
    name: str
    email: str
    minutes: Count
    course_id: str | None = None
    calendly_event_id: int | None = None
    linked_kind: Literal["booking", "attendee"] | None = None
    linked_target: str | None = None


class WebinarPeriods(BaseModel):
    group: str = ABSENT
    items: list[Any]


class PipelineStages(BaseModel):
    stages: Any
    transitions: Any


class CourseStats(BaseModel):
    items: list[Any]
