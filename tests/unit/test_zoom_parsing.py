"""ZOOM_RATE_LIMITS and Retry-After parsing: the two places where Zoom settings meet text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.adapters.zoom.retry_after import next_daily_reset, parse_retry_after
from service.config import parse_rate_limits

NOW = datetime(2026, 10, 12, 15, 30, tzinfo=UTC)


def test_the_default_rate_limits_parse() -> None:
    assert parse_rate_limits("light=30,medium=20,heavy=10") == {
        "light": 30,
        "medium": 20,
        "heavy": 10,
    }


def test_rate_limits_tolerate_spaces_and_case() -> None:
    assert parse_rate_limits(" Light = 80 , medium=60,HEAVY=40 ") == {
        "light": 80,
        "medium": 60,
        "heavy": 40,
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is not category=limit"),
        ("light=30,medium=20", "lacks heavy"),
        ("light=30,medium=20,heavy", "'heavy' is not category=limit"),
        ("light=30,medium=20,heavy=ten", "positive integer, got 'ten'"),
        ("light=30,medium=20,heavy=0", "positive integer, got '0'"),
        ("light=30,medium=20,heavy=-1", "positive integer, got '-1'"),
        ("light=30,light=20,medium=20,heavy=10", "names 'light' twice"),
        ("light=30,medium=20,heavy=10,resource=1", "unknown category 'resource'"),
    ],
)
def test_bad_rate_limits_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_rate_limits(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", NOW + timedelta(seconds=1)),
        ("2.5", NOW + timedelta(seconds=2.5)),
        ("Tue, 13 Oct 2026 00:00:00 GMT", datetime(2026, 10, 13, tzinfo=UTC)),
        ("2026-10-13T00:00:00Z", datetime(2026, 10, 13, tzinfo=UTC)),
        ("2026-10-13T00:00:00", datetime(2026, 10, 13, tzinfo=UTC)),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_in_every_form_zoom_uses(value: str | None, expected: datetime | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_the_daily_reset_is_just_after_the_next_midnight_utc(now: datetime) -> None:
    reset = next_daily_reset(now)

    assert (reset.hour, reset.minute, reset.second, reset.microsecond) == (0, 1, 0, 0)
    assert timedelta(minutes=1) < reset - now <= timedelta(days=1, minutes=1)


def test_the_daily_reset_follows_a_later_moment_zoom_names() -> None:
    assert next_daily_reset(NOW, "2026-10-14T00:00:00Z") == datetime(2026, 10, 14, 0, 1, tzinfo=UTC)
    assert next_daily_reset(NOW, "2026-10-12T16:00:00Z") == datetime(2026, 10, 13, 0, 1, tzinfo=UTC)
