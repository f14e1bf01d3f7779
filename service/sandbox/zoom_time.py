"""Zoom's two date-time formats, and the UTC day boundaries its daily limits reset at.

Zoom reads ``yyyy-MM-ddTHH:mm:ssZ`` as UTC and ``yyyy-MM-ddTHH:mm:ss`` as wall-clock time in the
meeting's ``timezone``. Anything else (offsets like ``+02:00``) is refused here, so a client that
mixes the two conventions fails in tests instead of silently shifting meetings.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_ZOOM_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z?$")


def is_zoom_date_time(value: str) -> bool:
    if not _ZOOM_DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError:
        return False
    return True


def parse_zoom_date_time(value: str, zone: ZoneInfo) -> datetime:
    """An aware datetime: UTC when ``value`` ends in Z, else wall-clock time in ``zone``."""
    naive = datetime.fromisoformat(value.removesuffix("Z")).replace(microsecond=0)
    if value.endswith("Z"):
        return naive.replace(tzinfo=UTC)
    return naive.replace(tzinfo=zone)


def format_utc(moment: datetime) -> str:
    """Zoom's response format: UTC, second precision, trailing Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zone_or_none(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def utc_day(now: float) -> str:
    """The key of the UTC day ``now`` (unix seconds) falls in; daily limits reset with it."""
    return datetime.fromtimestamp(now, UTC).date().isoformat()


def next_utc_midnight(now: float) -> str:
    """When a daily limit resets, in the ISO form Zoom sends in ``Retry-After``."""
    today = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return format_utc(today + timedelta(days=1))
