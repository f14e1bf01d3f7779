"""The field types of booking-system events: pydantic validators with the contract's messages.

Each type checks its value strictly (no coercion: `"100"` is not a number, `true` is not 1) and
refuses with the message CONTRACT §3.2's 422 answers show. `problems_of` turns pydantic's
errors, which carry every problem with its location, into `Problem`s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from functools import cache
from typing import Annotated, NoReturn, TypeVar
from zoneinfo import available_timezones

from pydantic import AfterValidator, PlainValidator, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an event body; `location` is a path such as `data.course.id`."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


# pydantic's own error types, said the way the contract says them.
_MESSAGES = {
    "missing": "is required",
    "model_type": "expected an object",
    "dataclass_type": "expected an object",
    "dict_type": "expected an object",
    "tuple_type": "expected a list",
}


def problems_of(error: ValidationError) -> list[Problem]:
    return [
        Problem(_location(e["loc"]), _MESSAGES.get(e["type"], e["msg"])) for e in error.errors()
    ]


def _location(loc: Sequence[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "body"


def _refuse(message: str) -> NoReturn:
    raise PydanticCustomError("booking_field", "{message}", {"message": message})


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"\d{2}:\d{2}", re.ASCII)
_E = TypeVar("_E", bound=StrEnum)


@cache
def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _text(value: object) -> str:
    if not isinstance(value, str):
        _refuse("expected a non-empty string")
    if not value.strip():
        _refuse("must not be empty")
    return value


def _optional_text(value: object) -> str | None:
    """Present, and either null or a non-empty string."""
    if value is None:
        return None
    if not isinstance(value, str):
        _refuse("expected a non-empty string or null")
    if not value.strip():
        _refuse("must not be empty (use null when not set)")
    return value


def _check_email(value: str | None) -> str | None:
    """CONTRACT §3.2: exactly one @, with a non-empty local part and domain."""
    if value is not None:
        local, _, domain = value.strip().partition("@")
        if value.count("@") != 1 or not local or not domain:
            _refuse("expected an email address such as max@example.com")
    return value


def _any_text(value: object) -> str:
    if not isinstance(value, str):
        _refuse("expected a string")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        _refuse("expected true or false")
    return value


def _positive_int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        _refuse("expected a positive integer")
    if value < 1:
        _refuse("must be a positive integer")
    return value


def _optional_positive_int(value: object) -> int | None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        _refuse("expected a positive integer or null")
    return None if value is None else _positive_int(value)


def _day(value: object) -> date:
    if not isinstance(value, str):
        _refuse("expected a date YYYY-MM-DD")
    if not _DATE.fullmatch(value):
        _refuse("expected YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        _refuse(f"{value!r} is not a calendar date")


def _clock(value: object) -> time:
    if not isinstance(value, str):
        _refuse("expected a time HH:MM")
    if not (_TIME.fullmatch(value) and int(value[:2]) < 24 and int(value[3:]) < 60):
        _refuse("expected HH:MM")
    return time(int(value[:2]), int(value[3:]))


def _after_start(end: time, info: ValidationInfo) -> time:
    """A session ends after it starts; unchecked when the start itself is wrong."""
    start = info.data.get("start")
    if isinstance(start, time) and end <= start:
        _refuse(f"must be after start ({start:%H:%M})")
    return end


def _zone(value: object) -> str:
    if _text(value) not in _iana_zones():
        _refuse(f"{value!r} is not an IANA time zone (e.g. Europe/Berlin)")
    return str(value)


def _instant(value: object) -> datetime:
    if not isinstance(value, str):
        _refuse("expected an ISO-8601 date-time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        _refuse("expected an ISO-8601 date-time with an offset or Z")
    return parsed


def _choice(allowed: type[_E]) -> Callable[[object], _E]:
    names = " | ".join(member.value for member in allowed)

    def read(value: object) -> _E:
        if not isinstance(value, str):
            _refuse("expected a string")
        if value not in allowed._value2member_map_:
            _refuse(f"expected one of {names}, got {value!r}")
        return allowed(value)

    return read


Text = Annotated[str, PlainValidator(_text)]
OptionalText = Annotated[str | None, PlainValidator(_optional_text)]
AnyText = Annotated[str, PlainValidator(_any_text)]
Email = Annotated[str, PlainValidator(_text), AfterValidator(_check_email)]
OptionalEmail = Annotated[str | None, PlainValidator(_optional_text), AfterValidator(_check_email)]
Flag = Annotated[bool, PlainValidator(_flag)]
PositiveInt = Annotated[int, PlainValidator(_positive_int)]
OptionalPositiveInt = Annotated[int | None, PlainValidator(_optional_positive_int)]
Day = Annotated[date, PlainValidator(_day)]
Clock = Annotated[time, PlainValidator(_clock)]
EndClock = Annotated[time, PlainValidator(_clock), AfterValidator(_after_start)]
Zone = Annotated[str, PlainValidator(_zone)]
Instant = Annotated[datetime, PlainValidator(_instant)]


def one_of(allowed: type[StrEnum]) -> PlainValidator:
    """The validator of a field holding one of `allowed`'s values:
    `Annotated[CourseStatus, one_of(CourseStatus)]`."""
    return PlainValidator(_choice(allowed))
