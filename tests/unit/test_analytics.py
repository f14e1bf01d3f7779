"""The analytics definitions (docs/attendance.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from service.domain.analytics import funnel, rate, webinar_rates
from service.domain.booking_events import Session
from service.domain.zoom_attendance import session_windows


def test_rates_count_only_marked_attendees_and_are_null_without_any() -> None:
    assert webinar_rates(3, 1) == {"attendance_rate": 0.75, "no_show_rate": 0.25}
    assert webinar_rates(0, 0) == {"attendance_rate": None, "no_show_rate": None}
    assert rate(1, 3) == 0.3333


def test_sessions_become_utc_instants_across_daylight_saving() -> None:
    sessions = [
        Session(date(2031, 10, 20), time(16, 0), time(17, 30)),
        Session(date(2031, 10, 27), time(16, 0), time(17, 30)),
    ]
    windows = session_windows(sessions, ZoneInfo("Europe/Berlin"))
    assert [w.start for w in windows] == [
        datetime(2031, 10, 20, 14, 0, tzinfo=UTC),
        datetime(2031, 10, 27, 15, 0, tzinfo=UTC),
    ]
    assert {w.seconds for w in windows} == {90 * 60}


def test_funnel_counts_active_bookings_their_marks_and_moves_to_school_active() -> None:
    periods = [
        {"booked": 6, "cancelled": 1, "attended": 2, "not_attended": 2},
        {"booked": 4, "cancelled": 0, "attended": 3, "not_attended": 1},
    ]
    moves = [
        {"from": "infowebinar_gebucht", "to": "schule_aktiv", "count": 2},
        {"from": "nicht_teilgenommen", "to": "schule_aktiv", "count": 1},
        {"from": "infowebinar_gebucht", "to": "nicht_teilgenommen", "count": 4},
    ]
    assert funnel(periods, moves) == {"booked": 9, "attended": 5, "not_attended": 3, "active": 3}
    assert funnel([], []) == {"booked": 0, "attended": 0, "not_attended": 0, "active": 0}
