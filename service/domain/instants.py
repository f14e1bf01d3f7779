"""Times that people type (API query parameters, `--since`): ISO-8601 dates or date-times.

A date means midnight UTC; a date-time without an offset is read as UTC. Both are common in
what admins type and there is exactly one sensible reading of them for a UTC-stored schedule.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time


class InvalidInstant(ValueError):
    """Not an ISO-8601 date or date-time; the message shows the form expected."""


def parse_instant(text: str) -> tuple[datetime, bool]:
    """The instant, and whether only a date was given (callers may widen it to the day)."""
    raw = text.strip()
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(), tzinfo=UTC), True
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInstant(
            f"{text!r} is not an ISO-8601 date or date-time, e.g. 2026-10-12 or "
            "2026-10-12T16:00:00+02:00"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), False
