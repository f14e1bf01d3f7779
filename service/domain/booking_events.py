"""Events from the booking system (CONTRACT §3.2), parsed into frozen domain objects.

The producer is ours, so parsing is strict: a typo must be loud (422), and the answer lists
every problem at once with where it is, so one round trip fixes them all. Whether a course can
become a Zoom meeting is a separate question (`course_validation`): a well-formed course may
still be unfit for Zoom, and that is reported on the course, not by rejecting the event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from service.domain.booking_fields import Fields, Problem


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

    date: date
    start: time
    end: time

    @property
    def length_minutes(self) -> int:
        """Wall-clock length, which is what the booking system means by "16:00 to 21:00"."""
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)


@dataclass(frozen=True)
class Venue:
    id: str
    name: str
    kind: VenueKind
    max_participants: int | None  # None: the booking system sets no limit


@dataclass(frozen=True)
class Person:
    """A staff member; `zoom_user` is their Zoom login (an email), None when not set."""

    id: str
    name: str
    email: str | None
    zoom_user: str | None


@dataclass(frozen=True)
class Trainer(Person):
    moderator: bool


@dataclass(frozen=True)
class Course:
    id: str
    version: int
    title: str
    status: CourseStatus
    timezone: str  # a valid IANA zone name
    sessions: tuple[Session, ...]
    venue: Venue
    moderator: Moderator
    supervisor: Person | None
    trainers: tuple[Trainer, ...]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Participant:
    first_name: str
    last_name: str  # may be empty: not everyone has two names
    email: str  # as typed; whether Zoom can take it is decided per booking (`emails`)


@dataclass(frozen=True)
class Booking:
    id: str
    version: int
    course_id: str
    status: BookingStatus
    participant: Participant


@dataclass(frozen=True)
class CourseCancelled:
    course_id: str
    version: int


@dataclass(frozen=True)
class BookingCancelled:
    booking_id: str
    course_id: str
    version: int


@dataclass(frozen=True)
class User:
    """A person Calendly attendees can be linked to (e.g. a teacher)."""

    id: str
    version: int
    name: str
    email: str
    role: str


EventData = Course | Booking | CourseCancelled | BookingCancelled | User


@dataclass(frozen=True)
class BookingEvent:
    type: str
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


def _session(fields: Fields) -> Session:
    on = fields.day("date")
    start = fields.clock("start")
    end = fields.clock("end")
    if start is not None and end is not None and end <= start:
        fields.problem("end", f"must be after start ({start:%H:%M})")
    return Session(on, start or time.min, end or time.max)


def _person(fields: Fields) -> Person:
    return Person(
        id=fields.text("id"),
        name=fields.text("name"),
        email=fields.optional_email("email"),
        zoom_user=fields.optional_text("zoom_user"),
    )


def _trainer(fields: Fields) -> Trainer:
    person = _person(fields)
    return Trainer(person.id, person.name, person.email, person.zoom_user, fields.flag("moderator"))


def _venue(fields: Fields) -> Venue:
    return Venue(
        id=fields.text("id"),
        name=fields.text("name"),
        kind=fields.choice("kind", VenueKind),
        max_participants=fields.optional_positive_int("max_participants"),
    )


def _course(data: Fields) -> Course:
    course = data.nested("course")
    supervisor = course.optional_nested("supervisor")
    return Course(
        id=course.text("id"),
        version=course.version(),
        title=course.text("title"),
        status=course.choice("status", CourseStatus),
        timezone=course.zone("timezone"),
        sessions=tuple(_session(s) for s in course.each("sessions")),
        venue=_venue(course.nested("venue")),
        moderator=course.choice("moderator", Moderator),
        supervisor=_person(supervisor) if supervisor is not None else None,
        trainers=tuple(_trainer(t) for t in course.each("trainers")),
    )


def _booking(data: Fields) -> Booking:
    booking = data.nested("booking")
    participant = booking.nested("participant")
    return Booking(
        id=booking.text("id"),
        version=booking.version(),
        course_id=booking.text("course_id"),
        status=booking.choice("status", BookingStatus),
        participant=Participant(
            first_name=participant.text("first_name"),
            last_name=participant.any_text("last_name"),
            email=participant.email("email"),
        ),
    )


def _course_cancelled(data: Fields) -> CourseCancelled:
    return CourseCancelled(course_id=data.text("course_id"), version=data.version())


def _booking_cancelled(data: Fields) -> BookingCancelled:
    return BookingCancelled(
        booking_id=data.text("booking_id"),
        course_id=data.text("course_id"),
        version=data.version(),
    )


def _user(data: Fields) -> User:
    user = data.nested("user")
    return User(
        id=user.text("id"),
        version=user.version(),
        name=user.text("name"),
        email=user.email("email"),
        role=user.text("role"),
    )


_READERS: dict[str, Callable[[Fields], EventData]] = {
    "course.upserted": _course,
    "booking.upserted": _booking,
    "course.cancelled": _course_cancelled,
    "booking.cancelled": _booking_cancelled,
    "user.upserted": _user,
}


def parse_booking_event(body: object) -> BookingEvent:
    """Turn a decoded JSON body into a `BookingEvent`.

    Raises `UnknownEventType` for a `type` we do not handle and `InvalidEvent` with every
    problem found otherwise. Unknown extra fields are ignored, so the producer can add some.
    """
    problems: list[Problem] = []
    envelope = Fields(body, "", problems)
    type_ = envelope.text("type")
    if type_ and type_ not in _READERS:
        raise UnknownEventType(type_)
    timestamp = envelope.instant("timestamp")
    data = envelope.nested("data")
    payload = _READERS[type_](data) if type_ else None
    if problems or payload is None:
        raise InvalidEvent(problems)
    return BookingEvent(type=type_, timestamp=timestamp, data=payload)
