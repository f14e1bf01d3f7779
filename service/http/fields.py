"""The field rules of request models, each checking strictly and naming its problem as the
API has always named it (`service.http.validation` turns them into the 422 document)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from service.domain.instants import InvalidInstant, parse_instant
from service.domain.numbers import ascii_int
from service.http.input import storable
from service.http.validation import Rule, refuse

EMAIL_MAX = 254


class Text(Rule):
    """A non-empty string (kept stripped) of at most `max_length`; with `nullable`, null too."""

    def __init__(self, max_length: int, *, nullable: bool = False) -> None:
        self.max_length = max_length
        self.nullable = nullable

    def check(self, value: Any) -> str | None:
        if value is None:
            if self.nullable:
                return None
            refuse("required: a non-empty string")
        if not isinstance(value, str) or not value.strip():
            refuse("expected a non-empty string" + (" or null" if self.nullable else ""))
        if len(value) > self.max_length:
            refuse(f"at most {self.max_length} characters")
        if not storable(value):
            refuse("must not contain NUL characters")
        return value.strip()

    def constraints(self) -> dict[str, Any]:
        return {"minLength": 1, "maxLength": self.max_length}


class Email(Text):
    """A plausible address (one @, a dot in the domain, no spaces); delivery proves the rest."""

    def __init__(self) -> None:
        super().__init__(EMAIL_MAX)

    def check(self, value: Any) -> str | None:
        address = super().check(value)
        assert address is not None
        local, at, domain = address.rpartition("@")
        if not at or not local or "." not in domain.strip(".") or any(c.isspace() for c in address):
            refuse("expected an email address such as max@example.com")
        return address

    def constraints(self) -> dict[str, Any]:
        return {"format": "email", "maxLength": EMAIL_MAX}


class WholeNumber(Rule):
    """A whole number from `minimum` to `maximum`, or null."""

    def __init__(self, minimum: int, maximum: int) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def check(self, value: Any) -> int | None:
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not self.minimum <= value <= self.maximum
        ):
            refuse(f"expected a whole number {self.minimum}–{self.maximum} or null")
        return value

    def constraints(self) -> dict[str, Any]:
        return {"minimum": self.minimum, "maximum": self.maximum}


class TriState(Rule):
    """true, false or null (= pending); required: an absent key is not null."""

    def check(self, value: Any) -> bool | None:
        if not (value is None or isinstance(value, bool)):
            refuse("required: true, false or null (null = pending)")
        return value


class UserId(Rule):
    """The booking system's user id, a string; an integer is taken as its digits; or null."""

    def check(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and value.strip() and len(value) <= 100 and storable(value):
            return value.strip()
        refuse("expected a user id (string or integer) or null")


def instant(value: str) -> datetime:
    """An ISO-8601 date or date-time; without an offset it is UTC."""
    try:
        return parse_instant(value)[0]
    except InvalidInstant as error:
        refuse(str(error))


def _query_text(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        refuse("expected a string")
    return value


class QueryText(Rule):
    """A filter's free text (an empty one is no filter: `parse_query` drops it)."""

    def check(self, value: Any) -> str | None:
        return _query_text(value)


class Choice(Rule):
    """One of a few words (the field's `Literal` type lists them in the document)."""

    def __init__(self, *allowed: str) -> None:
        self.allowed = allowed

    def check(self, value: Any) -> str | None:
        if _query_text(value) is not None and value not in self.allowed:
            refuse(f"expected one of {', '.join(self.allowed)}")
        return _query_text(value)


class Moment(Rule):
    """An ISO-8601 date or date-time; a time without offset is taken as UTC."""

    def constraints(self) -> dict[str, Any]:
        return {"format": None}  # a date will do

    def check(self, value: Any) -> datetime | None:
        text = _query_text(value)
        if text is None:
            return None
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                refuse("expected an ISO-8601 date or date-time")
            parsed = datetime(day.year, day.month, day.day)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Flag(Rule):
    """true or false, as JSON has them (no "yes", no 1)."""

    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            refuse("expected true or false")
        return value


class Limit(Rule):
    """A page size from 1 to `maximum`, as ASCII digits."""

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum

    def check(self, value: Any) -> int:
        number = ascii_int(value) if isinstance(value, str) else None
        if number is None or not 1 <= number <= self.maximum:
            refuse(f"expected 1–{self.maximum}")
        return number

    def constraints(self) -> dict[str, Any]:
        return {"minimum": 1, "maximum": self.maximum}
