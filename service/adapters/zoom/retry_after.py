"""When Zoom says we may call again: `Retry-After` values and the 00:00 UTC daily reset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

# Daily quotas reset at 00:00 UTC; calling a minute later avoids racing Zoom's own clock.
DAILY_RESET_MARGIN = timedelta(minutes=1)


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """The moment a `Retry-After` points at: delta seconds, an HTTP date or an ISO-8601 time.

    Zoom sends seconds on per-second 429s and an ISO time (e.g. `2020-05-31T00:00:00Z`) on daily
    ones; an unreadable value gives None (the caller falls back to its own backoff).
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        return now + timedelta(seconds=max(0.0, float(text)))
    except ValueError:
        pass
    for parse in (parsedate_to_datetime, datetime.fromisoformat):
        try:
            moment = parse(text)
        except (ValueError, TypeError):
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def next_daily_reset(now: datetime, retry_after: str | None = None) -> datetime:
    """Just after the next 00:00 UTC, or after a later moment Zoom named in `Retry-After`."""
    today = now.astimezone(UTC).date()
    midnight = datetime(today.year, today.month, today.day, tzinfo=UTC) + timedelta(days=1)
    stated = parse_retry_after(retry_after, now)
    return max(midnight, stated or midnight) + DAILY_RESET_MARGIN
