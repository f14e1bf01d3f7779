"""Zoom's recurrence object (meeting type 8): finding one whose occurrences are exactly a
course's session dates, and expanding one into its dates.

Zoom documents the fields but not every edge of their meaning, so `find_recurrence` only
chooses a recurrence that means the same under every reading we cannot rule out: weeks that
start on Sunday or on Monday (it matters once `repeat_interval` > 1), and a `monthly_day` that a
month lacks being skipped or moved to that month's last day. A course whose dates need one of
those guesses gets a validation error instead of a meeting on the wrong days.

`occurrence_dates` is the one reading we check Zoom's answer against (Sunday weeks, Zoom's
1 = Sunday numbering; missing monthly days skipped). Only dates are expanded here: the
sessions' wall-clock time is the same every day, so daylight-saving changes move the UTC
instant, never the date.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from itertools import islice

MAX_OCCURRENCES = 60
"""Zoom's current meeting reference: "The maximum number of recurring is 60" (`end_times`).
The 2023 spec copy said 365; we keep to the lower, current number."""


class RecurrenceType(IntEnum):
    DAILY = 1
    WEEKLY = 2
    MONTHLY = 3


MAX_REPEAT_INTERVAL = {
    RecurrenceType.DAILY: 90,
    RecurrenceType.WEEKLY: 12,
    RecurrenceType.MONTHLY: 3,
}


def zoom_weekday(day: date) -> int:
    """Zoom's weekday number: 1 = Sunday, 2 = Monday, … 7 = Saturday."""
    return (day.weekday() + 1) % 7 + 1


@dataclass(frozen=True)
class Recurrence:
    """A bounded Zoom recurrence; `end_times` counts occurrences, the first one included."""

    type: RecurrenceType
    repeat_interval: int
    end_times: int
    weekly_days: frozenset[int] = frozenset()  # Zoom weekday numbers, weekly only
    monthly_day: int | None = None  # 1 to 31, monthly only

    def __post_init__(self) -> None:
        if not 1 <= self.repeat_interval <= MAX_REPEAT_INTERVAL[self.type]:
            raise ValueError(f"repeat_interval {self.repeat_interval} is out of Zoom's range")
        if self.end_times < 1:
            raise ValueError("end_times must be at least 1")
        weekly = self.type is RecurrenceType.WEEKLY
        if weekly != bool(self.weekly_days) or not self.weekly_days <= set(range(1, 8)):
            raise ValueError("weekly_days (1-7) go with a weekly recurrence and only with it")
        monthly = self.type is RecurrenceType.MONTHLY
        if monthly != (self.monthly_day is not None) or not 1 <= (self.monthly_day or 1) <= 31:
            raise ValueError("monthly_day (1-31) goes with a monthly recurrence and only with it")

    def to_zoom(self) -> dict[str, object]:
        """The `recurrence` object of Zoom's meeting body."""
        body: dict[str, object] = {
            "type": int(self.type),
            "repeat_interval": self.repeat_interval,
            "end_times": self.end_times,
        }
        if self.weekly_days:
            body["weekly_days"] = ",".join(str(d) for d in sorted(self.weekly_days))
        if self.monthly_day is not None:
            body["monthly_day"] = self.monthly_day
        return body

    @classmethod
    def from_zoom(cls, body: Mapping[str, object]) -> Recurrence:
        """Read a recurrence object as Zoom returns it; only the forms we create are accepted.

        Raises ValueError for anything else (`end_date_time`, `monthly_week`, bad values).
        """
        if "end_date_time" in body or "monthly_week" in body:
            raise ValueError("only end_times and monthly_day recurrences are supported")
        kind = body.get("type")
        interval = body.get("repeat_interval", 1)
        end_times = body.get("end_times")
        if not (isinstance(kind, int) and isinstance(interval, int) and isinstance(end_times, int)):
            raise ValueError("type, repeat_interval and end_times must be integers")
        days = body.get("weekly_days")
        monthly_day = body.get("monthly_day")
        if not (days is None or isinstance(days, str)):
            raise ValueError("weekly_days must be a string such as '2,4'")
        if not (monthly_day is None or isinstance(monthly_day, int)):
            raise ValueError("monthly_day must be an integer")
        recurrence_type = RecurrenceType(kind)
        return cls(
            type=recurrence_type,
            repeat_interval=interval,
            end_times=end_times,
            weekly_days=frozenset(int(d) for d in days.split(","))
            if days and recurrence_type is RecurrenceType.WEEKLY
            else frozenset(),
            monthly_day=monthly_day if recurrence_type is RecurrenceType.MONTHLY else None,
        )


def occurrence_dates(recurrence: Recurrence, first: date) -> list[date]:
    """The dates a meeting starting on `first` with this recurrence takes place on."""
    return _expand(recurrence, first, weeks_start_sunday=True, clamp_missing_day=False)


def find_recurrence(dates: Sequence[date]) -> Recurrence | None:
    """A recurrence whose occurrences, starting at the earliest date, are exactly `dates`.

    None when there is none (irregular dates, a date twice, fewer than two dates). The
    occurrence count is not capped here; `MAX_OCCURRENCES` is a validation rule.
    """
    days = sorted(dates)
    if len(days) < 2 or len(set(days)) != len(days):
        return None
    for candidate in _candidates(days):
        if all(
            _expand(candidate, days[0], weeks_start_sunday=sunday, clamp_missing_day=clamp) == days
            for sunday in (True, False)
            for clamp in (True, False)
        ):
            return candidate
    return None


def _candidates(days: list[date]) -> Iterator[Recurrence]:
    """Every recurrence worth checking, simplest first; each is verified by expansion."""
    count = len(days)
    gap = (days[1] - days[0]).days
    if gap <= MAX_REPEAT_INTERVAL[RecurrenceType.DAILY]:
        yield Recurrence(RecurrenceType.DAILY, gap, count)
    weekdays = frozenset(zoom_weekday(d) for d in days)
    for interval in range(1, MAX_REPEAT_INTERVAL[RecurrenceType.WEEKLY] + 1):
        yield Recurrence(RecurrenceType.WEEKLY, interval, count, weekly_days=weekdays)
    months = (days[1].year - days[0].year) * 12 + days[1].month - days[0].month
    if 1 <= months <= MAX_REPEAT_INTERVAL[RecurrenceType.MONTHLY]:
        yield Recurrence(RecurrenceType.MONTHLY, months, count, monthly_day=days[0].day)


def _expand(
    recurrence: Recurrence, first: date, *, weeks_start_sunday: bool, clamp_missing_day: bool
) -> list[date]:
    if recurrence.type is RecurrenceType.DAILY:
        step = timedelta(days=recurrence.repeat_interval)
        return [first + step * i for i in range(recurrence.end_times)]
    if recurrence.type is RecurrenceType.WEEKLY:
        days = _weekly(recurrence, first, weeks_start_sunday)
    else:
        days = _monthly(recurrence, first, clamp_missing_day)
    return list(islice(days, recurrence.end_times))


def _weekly(recurrence: Recurrence, first: date, weeks_start_sunday: bool) -> Iterator[date]:
    """The chosen weekdays of every `repeat_interval`-th week, from `first` on."""
    days_into_week = (first.weekday() + 1) % 7 if weeks_start_sunday else first.weekday()
    week_start = first - timedelta(days=days_into_week)
    while True:
        for offset in range(7):
            day = week_start + timedelta(days=offset)
            if day >= first and zoom_weekday(day) in recurrence.weekly_days:
                yield day
        week_start += timedelta(weeks=recurrence.repeat_interval)


def _monthly(recurrence: Recurrence, first: date, clamp_missing_day: bool) -> Iterator[date]:
    """`monthly_day` of every `repeat_interval`-th month, from `first` on.

    Terminates for every valid recurrence: within three consecutive steps of at most three
    months there is always a month with 31 days.
    """
    wanted = recurrence.monthly_day or 1
    month_index = first.year * 12 + first.month - 1
    while True:
        year, month = divmod(month_index, 12)
        last = calendar.monthrange(year, month + 1)[1]
        if wanted <= last or clamp_missing_day:
            day = date(year, month + 1, min(wanted, last))
            if day >= first:
                yield day
        month_index += recurrence.repeat_interval
