"""The meeting a course becomes, the body Zoom gets, and what an update sends."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from service.domain.booking_events import CourseStatus
from service.domain.zoom_meeting import (
    CourseNotReadyForZoom,
    carries_marker,
    course_marker,
    create_body,
    expected_occurrence_dates,
    meeting_changes,
    meeting_shape,
)
from tests.unit.booking_samples import contract_course, session, syncable_course


def test_the_contracts_course_becomes_one_recurring_meeting() -> None:
    spec = meeting_shape(contract_course())

    assert spec.to_zoom_body() == {
        "topic": "Narkose Grundschulung - Zoom-Webinar am Abend",
        "type": 8,
        "start_time": "2026-10-12T16:00:00",
        "timezone": "Europe/Berlin",
        "duration": 300,
        "recurrence": {"type": 1, "repeat_interval": 2, "end_times": 3},
        "settings": {"approval_type": 1, "registration_type": 1},
    }
    assert expected_occurrence_dates(spec) == [
        date(2026, 10, 12),
        date(2026, 10, 14),
        date(2026, 10, 16),
    ]


def test_one_session_becomes_a_scheduled_meeting() -> None:
    course = replace(contract_course(), sessions=(session(date(2026, 11, 3), "09:15", "12:45"),))

    body = meeting_shape(course).to_zoom_body()

    assert body == {
        "topic": "Narkose Grundschulung - Zoom-Webinar am Abend",
        "type": 2,
        "start_time": "2026-11-03T09:15:00",
        "timezone": "Europe/Berlin",
        "duration": 210,
        "settings": {"approval_type": 1},
    }


def test_sessions_listed_out_of_order_start_at_the_first() -> None:
    days = [date(2026, 10, 16), date(2026, 10, 12), date(2026, 10, 14)]

    spec = meeting_shape(replace(contract_course(), sessions=tuple(session(d) for d in days)))

    assert spec.start_time == "2026-10-12T16:00:00"


def test_a_course_without_a_meeting_shape_is_refused_with_the_validation_errors() -> None:
    with pytest.raises(CourseNotReadyForZoom) as refused:
        meeting_shape(syncable_course(sessions=()))

    assert [e.code for e in refused.value.errors] == ["no_sessions"]


def test_nothing_zoom_sees_changed_means_no_update() -> None:
    course = syncable_course()
    later = replace(course, version=4, trainers=(), status=CourseStatus.RUNNING)

    assert meeting_changes(meeting_shape(course), meeting_shape(later)) == {}


def test_a_create_carries_the_course_marker_in_the_agenda_not_the_topic() -> None:
    spec = meeting_shape(syncable_course())
    body = create_body(spec, "10062")

    assert body["agenda"] == "[webinar-sync course 10062]"
    assert body["topic"] == spec.topic
    assert {k: v for k, v in body.items() if k != "agenda"} == spec.to_zoom_body()
    assert "agenda" not in meeting_changes(spec, spec) and meeting_changes(spec, spec) == {}


def test_the_marker_is_matched_as_a_whole_line_within_zoom_s_250_listed_characters() -> None:
    assert carries_marker("[webinar-sync course 100]\nKurs am Abend", "100")
    assert not carries_marker("[webinar-sync course 1006]", "100")
    assert not carries_marker("[webinar-sync course a]b]", "a")
    assert not carries_marker(None, "100")
    long_id = "k" * 400
    assert len(course_marker(long_id)) <= 250
    assert course_marker(long_id) != course_marker("k" * 401)
    assert carries_marker(course_marker(long_id), long_id)


def test_a_new_title_sends_only_the_topic() -> None:
    course = syncable_course()

    changes = meeting_changes(meeting_shape(course), meeting_shape(replace(course, title="Neu")))

    assert changes == {"topic": "Neu"}


def test_a_new_time_sends_the_whole_schedule_with_its_recurrence() -> None:
    course = syncable_course()
    moved = replace(
        course, sessions=tuple(replace(s, start=s.start.replace(hour=17)) for s in course.sessions)
    )

    changes = meeting_changes(meeting_shape(course), meeting_shape(moved))

    assert changes == {
        "type": 8,
        "start_time": "2026-10-12T17:00:00",
        "timezone": "Europe/Berlin",
        "duration": 240,
        "recurrence": {"type": 1, "repeat_interval": 2, "end_times": 3},
    }


def test_going_down_to_one_session_makes_it_a_scheduled_meeting() -> None:
    course = syncable_course()
    single = replace(course, sessions=course.sessions[:1])

    changes = meeting_changes(meeting_shape(course), meeting_shape(single))

    assert changes == {
        "type": 2,
        "start_time": "2026-10-12T16:00:00",
        "timezone": "Europe/Berlin",
        "duration": 300,
    }
