"""Occurrences of a recurring meeting with fixed time (type 8), computed as Zoom does.

Occurrences keep the wall-clock time of the first start in the meeting's time zone, so across a
DST change their UTC time moves (16:00 Europe/Berlin is 14:00Z in summer, 15:00Z in winter).
Weekdays use Zoom's numbering: 1 = Sunday … 7 = Saturday.

Where Zoom's documentation is silent this module chooses, and says so:
- the first occurrence is the first matching day on or after the start date;
- a monthly day that a month lacks (31 in April) is skipped, as RFC 5545 does;
- ``end_date_time`` is the last *date* (in the meeting's zone) an occurrence may fall on;
- a series never has more than ``MAX_OCCURRENCES`` occurrences (the spec's ``end_times`` maximum).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from service.sandbox.zoom_errors import ZoomError, validation_failed
from service.sandbox.zoom_time import parse_zoom_date_time

DAILY, WEEKLY, MONTHLY = 1, 2, 3
MAX_REPEAT_INTERVAL = {DAILY: 90, WEEKLY: 12, MONTHLY: 3}
MAX_OCCURRENCES = 365


@dataclass(frozen=True)
class Occurrence:
    """One instance of a recurring meeting; ``occurrence_id`` is its start in epoch ms."""

    start: datetime
    duration: int
    status: str = "available"

    @property
    def occurrence_id(self) -> str:
        return str(int(self.start.timestamp() * 1000))


def compute_occurrences(
    first_start: datetime, zone: ZoneInfo, duration: int, recurrence: dict[str, Any]
) -> list[Occurrence]:
    """All occurrences of the series; ``first_start`` must be aware."""
    local_start = first_start.astimezone(zone)
    kind = int(recurrence["type"])
    interval = int(recurrence.get("repeat_interval", 1))
    if not 1 <= interval <= MAX_REPEAT_INTERVAL[kind]:
        raise validation_failed(["recurrence.repeat_interval"])
    last_date, count = _end_of_series(recurrence, zone)
    if kind == DAILY:
        dates = _daily(local_start.date(), interval)
    elif kind == WEEKLY:
        dates = _weekly(local_start.date(), interval, _weekly_days(recurrence))
    else:
        dates = _monthly(local_start.date(), interval, recurrence)
    occurrences: list[Occurrence] = []
    for day in dates:
        if len(occurrences) >= count or (last_date is not None and day > last_date):
            break
        local = datetime.combine(day, local_start.timetz().replace(tzinfo=None), tzinfo=zone)
        occurrences.append(Occurrence(local.astimezone(UTC), duration))
    if not occurrences:
        raise ZoomError(400, 300, "Invalid recurrence: the series has no occurrence.")
    return occurrences


def _end_of_series(recurrence: dict[str, Any], zone: ZoneInfo) -> tuple[date | None, int]:
    if "end_times" in recurrence and "end_date_time" in recurrence:
        raise validation_failed(["recurrence.end_times", "recurrence.end_date_time"])
    if "end_date_time" in recurrence:
        end = parse_zoom_date_time(recurrence["end_date_time"], zone)
        return end.astimezone(zone).date(), MAX_OCCURRENCES
    end_times = int(recurrence.get("end_times", 1))
    if not 1 <= end_times <= MAX_OCCURRENCES:
        raise validation_failed(["recurrence.end_times"])
    return None, end_times


def _weekly_days(recurrence: dict[str, Any]) -> list[int]:
    raw = recurrence.get("weekly_days")
    if not raw:
        raise validation_failed(["recurrence.weekly_days"])
    return sorted({int(part) for part in str(raw).split(",")})


def _python_weekday(zoom_day: int) -> int:
    """Zoom 1 = Sunday … 7 = Saturday → Python 0 = Monday … 6 = Sunday."""
    return (zoom_day - 2) % 7


def _daily(start: date, interval: int) -> Iterator[date]:
    day = start
    while True:
        yield day
        day += timedelta(days=interval)


def _weekly(start: date, interval: int, zoom_days: list[int]) -> Iterator[date]:
    week_sunday = start - timedelta(days=(start.weekday() + 1) % 7)
    while True:
        for zoom_day in zoom_days:
            day = week_sunday + timedelta(days=zoom_day - 1)
            if day >= start:
                yield day
        week_sunday += timedelta(weeks=interval)


def _monthly(start: date, interval: int, recurrence: dict[str, Any]) -> Iterator[date]:
    by_week = "monthly_week" in recurrence or "monthly_week_day" in recurrence
    if by_week and not ("monthly_week" in recurrence and "monthly_week_day" in recurrence):
        raise validation_failed(["recurrence.monthly_week", "recurrence.monthly_week_day"])
    monthly_day = int(recurrence.get("monthly_day", 1))
    if not by_week and not 1 <= monthly_day <= 31:
        raise validation_failed(["recurrence.monthly_day"])
    year, month = start.year, start.month
    for _ in range(MAX_OCCURRENCES * MAX_REPEAT_INTERVAL[MONTHLY]):
        if by_week:
            day: date | None = _nth_weekday(
                year, month, int(recurrence["monthly_week"]), int(recurrence["monthly_week_day"])
            )
        else:
            day = _day_of_month(year, month, monthly_day)
        if day is not None and day >= start:
            yield day
        month += interval
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def _day_of_month(year: int, month: int, day: int) -> date | None:
    if day > calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _nth_weekday(year: int, month: int, week: int, zoom_day: int) -> date:
    weekday = _python_weekday(zoom_day)
    days_in_month = calendar.monthrange(year, month)[1]
    if week == -1:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))
