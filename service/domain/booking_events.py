"""Events from the booking system (CONTRACT §3.2), parsed into frozen domain objects.

The producer is ours, so parsing is strict: a typo must be loud (422), and the answer lists
every problem at once with where it is, so one round trip fixes them all. Whether a course can
become a Zoom meeting is a separate question (`course_validation`): a well-formed course may
still be unfit for Zoom, and that is reported on the course, not by rejecting the event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, TypeAdapter, ValidationError

from service.domain.booking_fields import (
    AnyText,
    Clock,
    Day,
    Email,
    EndClock,
    Flag,
    Instant,
    OptionalEmail,
    OptionalPositiveInt,
    OptionalText,
    PositiveInt,
    Problem,
    Text,
    Zone,
    one_of,
    problems_of,
)


class CourseStatus(StrEnum):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class Moderator(StrEnum):
    """Who hosts the Zoom meeting: the course's supervisor or the trainer marked moderator."""

    SUPERVISOR = "supervisor"
    TRAINER = "trainer"


class VenueKind(StrEnum):
    ZOOM = "zoom"
    PHYSICAL = "physical"


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Session:
    """One course day; `start` and `end` are wall-clock times in the course's time zone."""

    date: Day
    start: Clock
    end: EndClock

    @property
    def length_minutes(self) -> int:
        """Wall-clock length, which is what the booking system means by "16:00 to 21:00"."""
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)


@dataclass(frozen=True)
class Venue:
    id: Text
    name: Text
    kind: Annotated[VenueKind, one_of(VenueKind)]
    max_participants: OptionalPositiveInt  # None: the booking system sets no limit


@dataclass(frozen=True)
class Person:
    """A staff member; `zoom_user` is their Zoom login (an email), None when not set."""

    id: Text
    name: Text
    email: OptionalEmail
    zoom_user: OptionalText


@dataclass(frozen=True)
class Trainer(Person):
    moderator: Flag


@dataclass(frozen=True)
class Course:
    id: Text
    version: PositiveInt
    title: Text
    status: Annotated[CourseStatus, one_of(CourseStatus)]
    timezone: Zone
    sessions: tuple[Session, ...]
    venue: Venue
    moderator: Annotated[Moderator, one_of(Moderator)]
    supervisor: Person | None
    trainers: tuple[Trainer, ...]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Participant:
    first_name: Text
    last_name: AnyText  # may be empty: not everyone has two names
    email: Email  # as typed; whether Zoom can take it is decided per booking (`emails`)


@dataclass(frozen=True)
class Booking:
    id: Text
    version: PositiveInt
    course_id: Text
    status: Annotated[BookingStatus, one_of(BookingStatus)]
    participant: Participant


@dataclass(frozen=True)
class CourseCancelled:
    course_id: Text
    version: PositiveInt


@dataclass(frozen=True)
class BookingCancelled:
    booking_id: Text
    course_id: Text
    version: PositiveInt


@dataclass(frozen=True)
class User:
    """A person Calendly attendees can be linked to (e.g. a teacher)."""

    id: Text
    version: PositiveInt
    name: Text
    email: Email
    role: Text


EventData = Course | Booking | CourseCancelled | BookingCancelled | User


class BookingEventType(StrEnum):
    COURSE_UPSERTED = "course.upserted"
    COURSE_CANCELLED = "course.cancelled"
    BOOKING_UPSERTED = "booking.upserted"
    BOOKING_CANCELLED = "booking.cancelled"
    USER_UPSERTED = "user.upserted"


@dataclass(frozen=True)
class BookingEvent:
    type: BookingEventType
    timestamp: datetime
    data: EventData


class UnknownEventType(Exception):
    """The `type` names no event we know: a producer typo, answered with 422."""

    def __init__(self, type_: str) -> None:
        super().__init__(f"unknown event type {type_!r}")
        self.type = type_


class InvalidEvent(Exception):
    """The body is not a valid event; `problems` lists all of them, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


_D = TypeVar("_D")


class _Envelope(BaseModel, Generic[_D]):
    """What every event has; unknown extra fields are ignored, so the producer can add some."""

    type: Text
    timestamp: Instant
    data: _D


@dataclass(frozen=True)
class _CourseData:
    course: Course


@dataclass(frozen=True)
class _BookingData:
    booking: Booking


@dataclass(frozen=True)
class _UserData:
    user: User


@dataclass(frozen=True)
class _Shape:
    """How one event type is read, and which part of its `data` the event carries."""

    adapter: TypeAdapter[_Envelope[Any]]
    unwrap: Callable[[Any], EventData]


def _shape(data: type[Any], unwrap: Callable[[Any], EventData]) -> _Shape:
    return _Shape(TypeAdapter(_Envelope[data]), unwrap)  # type: ignore[valid-type]


_SHAPES: dict[str, _Shape] = {
    BookingEventType.COURSE_UPSERTED: _shape(_CourseData, lambda data: data.course),
    BookingEventType.COURSE_CANCELLED: _shape(CourseCancelled, lambda data: data),
    BookingEventType.BOOKING_UPSERTED: _shape(_BookingData, lambda data: data.booking),
    BookingEventType.BOOKING_CANCELLED: _shape(BookingCancelled, lambda data: data),
    BookingEventType.USER_UPSERTED: _shape(_UserData, lambda data: data.user),
}
# Without a usable `type` only the envelope is checked; it never validates (`type` is wrong).
_UNTYPED = _shape(dict[str, Any], lambda data: data)
_COURSE = TypeAdapter(Course)


def parse_booking_event(body: object) -> BookingEvent:
    """Turn a decoded JSON body into a `BookingEvent`.

    Raises `UnknownEventType` for a `type` we do not handle and `InvalidEvent` with every
    problem found otherwise.
    """
    shape = _shape_of(body)
    try:
        envelope = shape.adapter.validate_python(body)
    except ValidationError as error:
        raise InvalidEvent(problems_of(error)) from None
    return BookingEvent(
        BookingEventType(envelope.type), envelope.timestamp, shape.unwrap(envelope.data)
    )


def _shape_of(body: object) -> _Shape:
    type_ = body.get("type") if isinstance(body, dict) else None
    if not isinstance(type_, str) or not type_:
        return _UNTYPED
    if type_ not in _SHAPES:
        raise UnknownEventType(type_)
    return _SHAPES[type_]


def course_from_document(document: object) -> Course:
    """A course as stored (`data.course` of the event that brought it), checked as on arrival."""
    try:
        return _COURSE.validate_python(document)
    except ValidationError as error:
        raise InvalidEvent(problems_of(error)) from None
