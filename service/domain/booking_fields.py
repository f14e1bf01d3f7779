"""Reading the fields of an event body: every problem is recorded with its location, none
stops the reading, so the caller can answer with all of them at once (`InvalidEvent`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from functools import cache
from typing import TypeVar
from zoneinfo import available_timezones


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an event body; `location` is a path such as `data.course.id`."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"\d{2}:\d{2}", re.ASCII)
_MISSING = object()
_E = TypeVar("_E", bound=StrEnum)


@cache
def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class Fields:
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

    def nested(self, key: str) -> Fields:
        return Fields(self._raw(key), self.location(key), self._problems)

    def optional_nested(self, key: str) -> Fields | None:
        value = self._raw(key)
        return None if value is None else Fields(value, self.location(key), self._problems)

    def each(self, key: str) -> list[Fields]:
        value = self._raw(key)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.problem(key, "expected a list")
            return []
        where = self.location(key)
        return [Fields(item, f"{where}[{i}]", self._problems) for i, item in enumerate(value)]
