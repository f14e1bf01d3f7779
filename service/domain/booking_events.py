"""Events from the booking system (CONTRACT §3.2), parsed into frozen domain objects.

The producer is ours, so parsing is strict: a typo must be loud (422), and the answer lists
every problem at once with where it is, so one round trip fixes them all. Whether a course can
become a Zoom meeting is a separate question (`course_validation`): a well-formed course may
still be unfit for Zoom, and that is reported on the course, not by rejecting the event.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo, available_timezones


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


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an event body; `location` is a path such as `data.course.id`."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


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


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"\d{2}:\d{2}", re.ASCII)
_MISSING = object()
_E = TypeVar("_E", bound=StrEnum)


@cache
def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class _Fields:
    """Reads the fields of one JSON object, recording a problem instead of stopping.

    A field with a problem reads as a harmless placeholder so reading can go on; the
    placeholders never escape because the caller raises `InvalidEvent` when any problem
    was recorded.
    """

    def __init__(self, value: object, path: str, problems: list[Problem]) -> None:
        self._path = path
        self._problems = problems
        self._object: dict[object, object] = value if isinstance(value, dict) else {}
        self._readable = isinstance(value, dict)
        if not self._readable and value is not _MISSING:  # a missing one is reported already
            self._problems.append(Problem(path or "body", "expected an object"))

    def location(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key

    def problem(self, key: str, message: str) -> None:
        self._problems.append(Problem(self.location(key), message))

    def _raw(self, key: str) -> object:
        value = self._object.get(key, _MISSING)
        if value is _MISSING and self._readable:
            self.problem(key, "is required")
        return value

    def _typed(self, key: str, kind: type, expected: str, *, nullable: bool) -> object:
        value = self._raw(key)
        if value is _MISSING or (value is None and nullable):
            return None
        wrong_type = not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool)
        if wrong_type:
            self.problem(key, f"expected {expected}" + (" or null" if nullable else ""))
            return None
        return value

    def text(self, key: str) -> str:
        value = self._typed(key, str, "a non-empty string", nullable=False)
        if isinstance(value, str) and not value.strip():
            self.problem(key, "must not be empty")
        return value if isinstance(value, str) else ""

    def optional_text(self, key: str) -> str | None:
        """Present, and either null or a non-empty string."""
        value = self._typed(key, str, "a non-empty string", nullable=True)
        if isinstance(value, str) and not value.strip():
            self.problem(key, "must not be empty (use null when not set)")
        return value if isinstance(value, str) else None

    def email(self, key: str) -> str:
        value = self.text(key)
        self._check_email(key, value)
        return value

    def optional_email(self, key: str) -> str | None:
        value = self.optional_text(key)
        if value is not None:
            self._check_email(key, value)
        return value

    def _check_email(self, key: str, value: str) -> None:
        """CONTRACT §3.2: exactly one @, with a non-empty local part and domain."""
        local, _, domain = value.strip().partition("@")
        if value.strip() and (value.count("@") != 1 or not local or not domain):
            self.problem(key, "expected an email address such as max@example.com")

    def any_text(self, key: str) -> str:
        value = self._typed(key, str, "a string", nullable=False)
        return value if isinstance(value, str) else ""

    def flag(self, key: str) -> bool:
        return self._typed(key, bool, "true or false", nullable=False) is True

    def version(self) -> int:
        return self.positive_int("version")

    def positive_int(self, key: str) -> int:
        value = self.optional_positive_int(key, nullable=False)
        return value if value is not None else 1

    def optional_positive_int(self, key: str, *, nullable: bool = True) -> int | None:
        value = self._typed(key, int, "a positive integer", nullable=nullable)
        if isinstance(value, int) and value < 1:
            self.problem(key, "must be a positive integer")
        return value if isinstance(value, int) else None

    def choice(self, key: str, allowed: type[_E]) -> _E:
        value = self._typed(key, str, "a string", nullable=False)
        names = " | ".join(member.value for member in allowed)
        if isinstance(value, str):
            if value in allowed._value2member_map_:
                return allowed(value)
            self.problem(key, f"expected one of {names}, got {value!r}")
        return next(iter(allowed))

    def day(self, key: str) -> date:
        value = self._typed(key, str, "a date YYYY-MM-DD", nullable=False)
        if isinstance(value, str):
            if _DATE.fullmatch(value):
                try:
                    return date.fromisoformat(value)
                except ValueError:
                    self.problem(key, f"{value!r} is not a calendar date")
            else:
                self.problem(key, "expected YYYY-MM-DD")
        return date.min

    def clock(self, key: str) -> time | None:
        value = self._typed(key, str, "a time HH:MM", nullable=False)
        if isinstance(value, str):
            if _TIME.fullmatch(value) and int(value[:2]) < 24 and int(value[3:]) < 60:
                return time(int(value[:2]), int(value[3:]))
            self.problem(key, "expected HH:MM")
        return None

    def zone(self, key: str) -> str:
        value = self.text(key)
        if value and value not in _iana_zones():
            self.problem(key, f"{value!r} is not an IANA time zone (e.g. Europe/Berlin)")
        return value

    def instant(self, key: str) -> datetime:
        value = self._typed(key, str, "an ISO-8601 date-time", nullable=False)
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is not None:
                return parsed
            self.problem(key, "expected an ISO-8601 date-time with an offset or Z")
        return datetime.min

    def nested(self, key: str) -> _Fields:
        return _Fields(self._raw(key), self.location(key), self._problems)

    def optional_nested(self, key: str) -> _Fields | None:
        value = self._raw(key)
        return None if value is None else _Fields(value, self.location(key), self._problems)

    def each(self, key: str) -> list[_Fields]:
        value = self._raw(key)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.problem(key, "expected a list")
            return []
        where = self.location(key)
        return [_Fields(item, f"{where}[{i}]", self._problems) for i, item in enumerate(value)]


def _session(fields: _Fields) -> Session:
    on = fields.day("date")
    start = fields.clock("start")
    end = fields.clock("end")
    if start is not None and end is not None and end <= start:
        fields.problem("end", f"must be after start ({start:%H:%M})")
    return Session(on, start or time.min, end or time.max)


def _person(fields: _Fields) -> Person:
    return Person(
        id=fields.text("id"),
        name=fields.text("name"),
        email=fields.optional_email("email"),
        zoom_user=fields.optional_text("zoom_user"),
    )


def _trainer(fields: _Fields) -> Trainer:
    person = _person(fields)
    return Trainer(person.id, person.name, person.email, person.zoom_user, fields.flag("moderator"))


def _venue(fields: _Fields) -> Venue:
    return Venue(
        id=fields.text("id"),
        name=fields.text("name"),
        kind=fields.choice("kind", VenueKind),
        max_participants=fields.optional_positive_int("max_participants"),
    )


def _course(data: _Fields) -> Course:
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


def _booking(data: _Fields) -> Booking:
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


def _course_cancelled(data: _Fields) -> CourseCancelled:
    return CourseCancelled(course_id=data.text("course_id"), version=data.version())


def _booking_cancelled(data: _Fields) -> BookingCancelled:
    return BookingCancelled(
        booking_id=data.text("booking_id"),
        course_id=data.text("course_id"),
        version=data.version(),
    )


def _user(data: _Fields) -> User:
    user = data.nested("user")
    return User(
        id=user.text("id"),
        version=user.version(),
        name=user.text("name"),
        email=user.email("email"),
        role=user.text("role"),
    )


_READERS: dict[str, Callable[[_Fields], EventData]] = {
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
    envelope = _Fields(body, "", problems)
    type_ = envelope.text("type")
    if type_ and type_ not in _READERS:
        raise UnknownEventType(type_)
    timestamp = envelope.instant("timestamp")
    data = envelope.nested("data")
    payload = _READERS[type_](data) if type_ else None
    if problems or payload is None:
        raise InvalidEvent(problems)
    return BookingEvent(type=type_, timestamp=timestamp, data=payload)
