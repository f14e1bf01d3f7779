"""Recurrences whose occurrences are exactly the session dates, or an error naming the dates.

The property tests build session dates the way a course admin would (every k days, these
weekdays every k weeks, this day every k months) without using the code under test, in
zones with daylight-saving changes, and check that the meeting Zoom is asked for takes place
on exactly those dates at the sessions' wall-clock time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from service.domain.booking_events import Course
from service.domain.recurrence import (
    MAX_OCCURRENCES,
    Recurrence,
    RecurrenceType,
    find_recurrence,
    occurrence_dates,
    zoom_weekday,
)
from service.domain.zoom_meeting import (
    CourseNotReadyForZoom,
    expand_recurrence,
    expected_occurrence_dates,
    meeting_shape,
)
from tests.unit.booking_samples import session, syncable_course

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "UTC",
]

# Around Berlin's clock changes (last Sundays of March and October), and anywhere else.
_NEAR_DST = st.sampled_from(
    [date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31)]
).flatmap(lambda d: st.integers(-40, 10).map(lambda n: d + timedelta(days=n)))
_STARTS = st.one_of(_NEAR_DST, st.dates(date(2025, 1, 1), date(2030, 12, 31)))
_CLOCKS = st.sampled_from(["08:00", "09:30", "16:00", "18:45", "22:15"])
_COUNTS = st.integers(2, MAX_OCCURRENCES)


@st.composite
def daily_dates(draw: st.DrawFn) -> list[date]:
    start, every, count = draw(_STARTS), draw(st.integers(1, 90)), draw(_COUNTS)
    return [start + timedelta(days=every * i) for i in range(count)]


@st.composite
def weekly_dates(draw: st.DrawFn) -> list[date]:
    """Chosen weekdays of every k-th week, from a Monday; Sunday only when k = 1, because for
    k > 1 whether Sunday opens or closes Zoom's week is a guess we refuse to make."""
    every = draw(st.integers(1, 12))
    offsets = draw(st.sets(st.integers(0, 6 if every == 1 else 5), min_size=1))
    monday = draw(_STARTS)
    monday -= timedelta(days=monday.weekday())
    count = draw(_COUNTS)
    days = (
        monday + timedelta(weeks=every * week, days=offset)
        for week in range(count)
        for offset in sorted(offsets)
    )
    return list(days)[:count]


@st.composite
def monthly_dates(draw: st.DrawFn) -> list[date]:
    start, every = draw(_STARTS), draw(st.integers(1, 3))
    day, count = draw(st.integers(1, 28)), draw(st.integers(2, 30))
    index = start.year * 12 + start.month - 1
    months = [index + every * i for i in range(count)]
    return [date(month // 12, month % 12 + 1, day) for month in months]


def course_on(dates: list[date], zone: str, clock: str = "16:00") -> Course:
    end = (datetime.combine(date.min, time.fromisoformat(clock)) + timedelta(hours=1)).time()
    return syncable_course(
        timezone=zone, sessions=tuple(session(d, clock, f"{end:%H:%M}") for d in dates)
    )


@given(
    dates=st.one_of(daily_dates(), weekly_dates(), monthly_dates()),
    zone=st.sampled_from(ZONES),
    clock=_CLOCKS,
)
def test_regular_dates_become_a_recurrence_with_exactly_those_occurrences(
    dates: list[date], zone: str, clock: str
) -> None:
    spec = meeting_shape(course_on(dates, zone, clock))

    assert spec.recurrence is not None
    assert spec.to_zoom_body()["recurrence"] == spec.recurrence.to_zoom()
    assert expected_occurrence_dates(spec) == dates
    starts = expand_recurrence(spec)
    assert [s.date() for s in starts] == dates
    for start in starts:  # the wall clock holds across DST; the UTC instant moves
        assert start.astimezone(UTC).astimezone(ZoneInfo(zone)).time() == time.fromisoformat(clock)


@given(dates=st.sets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), min_size=2, max_size=12))
@example(dates={date(2026, 10, 12), date(2026, 10, 14), date(2026, 10, 19)})
@example(dates={date(2026, 10, 17), date(2026, 10, 18), date(2026, 10, 31), date(2026, 11, 1)})
def test_other_dates_get_a_correct_recurrence_or_an_error_naming_them(dates: set[date]) -> None:
    ordered = sorted(dates)
    course = course_on(ordered, "Europe/Berlin")
    try:
        spec = meeting_shape(course)
    except CourseNotReadyForZoom as refused:
        [error] = refused.errors
        assert error.code == "irregular_session_dates"
        for day in ordered:
            assert f"{day:%d.%m.%Y}" in error.message
    else:
        assert expected_occurrence_dates(spec) == ordered


@given(dates=st.one_of(daily_dates(), weekly_dates(), monthly_dates()), drop=st.data())
def test_a_pattern_with_one_date_moved_is_never_given_a_wrong_recurrence(
    dates: list[date], drop: st.DataObject
) -> None:
    index = drop.draw(st.integers(1, len(dates) - 1))
    moved = dates[index] + timedelta(days=drop.draw(st.sampled_from([-1, 1, 3])))
    changed = sorted({*dates[:index], moved, *dates[index + 1 :]})

    recurrence = find_recurrence(changed)

    if recurrence is not None:
        assert occurrence_dates(recurrence, changed[0]) == changed


def test_the_contracts_course_repeats_every_second_day() -> None:
    recurrence = find_recurrence([date(2026, 10, 12), date(2026, 10, 14), date(2026, 10, 16)])

    assert recurrence == Recurrence(RecurrenceType.DAILY, 2, 3)
    assert recurrence.to_zoom() == {"type": 1, "repeat_interval": 2, "end_times": 3}


def test_monday_and_friday_every_week_is_a_weekly_recurrence() -> None:
    dates = [date(2026, 10, 12), date(2026, 10, 16), date(2026, 10, 19), date(2026, 10, 23)]

    recurrence = find_recurrence(dates)

    assert recurrence is not None
    assert recurrence.to_zoom() == {
        "type": 2,
        "repeat_interval": 1,
        "end_times": 4,
        "weekly_days": "2,6",
    }


def test_the_31st_every_second_month_is_monthly_when_every_month_has_it() -> None:
    dates = [date(2026, 1, 31), date(2026, 3, 31), date(2026, 5, 31)]

    assert find_recurrence(dates) == Recurrence(RecurrenceType.MONTHLY, 2, 3, monthly_day=31)


def test_a_month_without_the_day_is_a_guess_we_do_not_make() -> None:
    # Every month on the 31st from January would skip February or move it to the 28th.
    assert find_recurrence([date(2026, 1, 31), date(2026, 3, 31), date(2026, 4, 30)]) is None


def test_saturday_and_sunday_every_second_week_depends_on_the_week_start() -> None:
    dates = [date(2026, 10, 17), date(2026, 10, 18), date(2026, 10, 31), date(2026, 11, 1)]

    assert find_recurrence(dates) is None


def test_occurrences_across_berlins_autumn_clock_change_keep_16_00() -> None:
    course = course_on([date(2026, 10, 22), date(2026, 10, 29)], "Europe/Berlin")

    spec = meeting_shape(course)

    assert [s.astimezone(UTC).hour for s in expand_recurrence(spec)] == [14, 15]
    assert spec.to_zoom_body()["start_time"] == "2026-10-22T16:00:00"


@pytest.mark.parametrize(
    "dates",
    [
        [date(2026, 10, 12)],
        [date(2026, 10, 12), date(2026, 10, 12)],
        [date(2026, 1, 1), date(2026, 6, 1)],
    ],
)
def test_no_recurrence_for_one_date_a_repeated_date_or_too_long_a_gap(dates: list[date]) -> None:
    assert find_recurrence(dates) is None


def test_zoom_weekday_numbers_start_on_sunday() -> None:
    assert [zoom_weekday(date(2026, 10, 11) + timedelta(days=i)) for i in range(7)] == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
    ]


@pytest.mark.parametrize(
    "recurrence",
    [
        Recurrence(RecurrenceType.DAILY, 90, 2),
        Recurrence(RecurrenceType.WEEKLY, 12, 60, weekly_days=frozenset({1, 7})),
        Recurrence(RecurrenceType.MONTHLY, 3, 5, monthly_day=15),
    ],
)
def test_a_recurrence_reads_back_from_zooms_answer(recurrence: Recurrence) -> None:
    assert Recurrence.from_zoom(recurrence.to_zoom()) == recurrence


@pytest.mark.parametrize(
    "body",
    [
        {"type": 2, "repeat_interval": 1, "end_date_time": "2026-12-01T00:00:00Z"},
        {"type": 3, "repeat_interval": 1, "end_times": 2, "monthly_week": 1},
        {"type": 1, "repeat_interval": 91, "end_times": 2},
        {"type": 2, "repeat_interval": 1, "end_times": 2},
        {"type": 4, "repeat_interval": 1, "end_times": 2},
        {"type": 1, "repeat_interval": "1", "end_times": 2},
    ],
)
def test_recurrences_we_never_create_are_not_read(body: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Recurrence.from_zoom(body)
