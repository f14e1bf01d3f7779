"""Whether a course can become a Zoom meeting, who hosts it, and the messages admins read."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.domain.booking_events import (
    Course,
    CourseStatus,
    Moderator,
    Trainer,
    Venue,
    VenueKind,
)
from service.domain.course_sync import is_zoom_synced, moderator_changed
from service.domain.course_validation import validate_for_zoom
from service.domain.hosting import HostedSlot, NoHost, choose_host, hosted_slots
from tests.unit.booking_samples import (
    contract_course,
    session,
    supervisor,
    syncable_course,
    trainer,
)

BERLIN = ZoneInfo("Europe/Berlin")


def messages(course: Course, other_hosted: list[HostedSlot] | None = None) -> list[str]:
    return [e.message for e in validate_for_zoom(course, other_hosted or [])]


def codes(course: Course) -> list[str]:
    return [e.code for e in validate_for_zoom(course, [])]


def with_trainers(*trainers: Trainer) -> Course:
    return replace(contract_course(), trainers=trainers)


def test_a_course_with_a_host_and_regular_sessions_is_ready() -> None:
    assert validate_for_zoom(syncable_course(), []) == []


def test_the_contracts_course_lacks_its_moderators_zoom_user() -> None:
    [error] = validate_for_zoom(contract_course(), [])

    assert error.code == "zoom_user_missing"
    assert error.message == "Zoom user name is not set for user Alexei Daiter"


def test_moderator_trainer_with_no_trainer_marked() -> None:
    course = with_trainers(trainer("Alexei Daiter", "a@example.com", moderator=False))

    assert messages(course) == [
        "Moderator is set to trainer, but no trainer in the course is marked as moderator"
    ]


def test_more_than_one_trainer_marked_moderator_lists_them_all() -> None:
    course = with_trainers(trainer("Alexei Daiter", None), trainer("Thomas Schulz", "t@x.de"))

    assert messages(course) == [
        "More than one trainer is marked as moderator (Alexei Daiter, Thomas Schulz); "
        "a Zoom meeting has exactly one host",
        "Zoom user name is not set for user Alexei Daiter",
    ]


def test_moderator_supervisor_needs_a_supervisor_with_a_zoom_user() -> None:
    assert messages(syncable_course(supervisor=None)) == [
        "Moderator is set to supervisor, but the course has no supervisor"
    ]
    assert messages(syncable_course(supervisor=supervisor(zoom_user=None))) == [
        "Zoom user name is not set for user Joachim Fuchsluger"
    ]


def test_sessions_with_different_times() -> None:
    sessions = (session(date(2026, 10, 12)), session(date(2026, 10, 14), "17:00", "21:00"))

    assert messages(syncable_course(sessions=sessions)) == [
        "Sessions have different times; a recurring Zoom meeting needs the same time "
        "for all sessions"
    ]


def test_no_sessions() -> None:
    assert messages(syncable_course(sessions=())) == [
        "The course has no sessions; a Zoom meeting needs at least one"
    ]


def test_dates_no_recurrence_can_express_are_named() -> None:
    days = [date(2026, 10, 12), date(2026, 10, 14), date(2026, 10, 20)]

    assert messages(syncable_course(sessions=tuple(session(d) for d in days))) == [
        "Zoom can't repeat a meeting on exactly these dates: 12.10.2026, 14.10.2026, "
        "20.10.2026; a recurring meeting needs daily, weekly (same weekdays) or monthly "
        "(same day) dates at a steady interval"
    ]


def test_two_sessions_on_one_day() -> None:
    sessions = (session(date(2026, 10, 12)), session(date(2026, 10, 12)))

    assert messages(syncable_course(sessions=sessions)) == [
        "More than one session on 12.10.2026; a recurring Zoom meeting has one occurrence per day"
    ]


def test_more_sessions_than_zoom_allows_in_a_series() -> None:
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(61)]

    assert messages(syncable_course(sessions=tuple(session(d) for d in days))) == [
        "The course has 61 sessions; a recurring Zoom meeting can have at most 60"
    ]


def test_a_session_at_a_time_the_spring_clock_change_skips() -> None:
    course = syncable_course(sessions=(session(date(2026, 3, 29), "02:30", "04:00"),))

    assert messages(course) == [
        "The session on 29.03.2026 starts at 02:30, a time that does not exist in "
        "Europe/Berlin (the clocks change that night)"
    ]


def test_a_title_longer_than_a_zoom_topic() -> None:
    assert codes(syncable_course(title="x" * 201)) == ["title_too_long"]


def test_every_problem_is_reported_not_just_the_first() -> None:
    course = replace(
        contract_course(),
        title="x" * 201,
        sessions=(
            session(date(2026, 10, 12)),
            session(date(2026, 10, 13), "09:00", "10:00"),
            session(date(2026, 10, 20)),
        ),
    )

    assert codes(course) == [
        "zoom_user_missing",
        "title_too_long",
        "session_times_differ",
        "irregular_session_dates",
    ]


def slot(
    course_id: str, start: datetime, hours: float, host: str = "akademie@example.com"
) -> HostedSlot:
    return HostedSlot(course_id, host, start, start + timedelta(hours=hours))


def test_a_host_already_busy_at_that_time_is_named_with_the_other_course() -> None:
    other = slot("10058", datetime(2026, 10, 12, 16, tzinfo=BERLIN), 5, "Akademie@Example.com")

    assert messages(syncable_course(), [other]) == [
        "Host akademie@example.com already hosts course 10058 at an overlapping time "
        "(12.10.2026 16:00\u201321:00)"
    ]


@pytest.mark.parametrize(
    ("other", "clashes"),
    [
        # 10:00 in New York is 16:00 in Berlin on 12 October.
        (slot("1", datetime(2026, 10, 14, 10, tzinfo=ZoneInfo("America/New_York")), 1), True),
        # 15:30 in London is 16:30 in Berlin.
        (slot("2", datetime(2026, 10, 16, 15, 30, tzinfo=ZoneInfo("Europe/London")), 1), True),
        # Ends as ours starts, or starts as ours ends: back to back is fine.
        (slot("3", datetime(2026, 10, 12, 14, tzinfo=BERLIN), 2), False),
        (slot("4", datetime(2026, 10, 12, 21, tzinfo=BERLIN), 2), False),
        (slot("5", datetime(2026, 10, 13, 16, tzinfo=BERLIN), 5), False),
        (slot("6", datetime(2026, 10, 12, 16, tzinfo=BERLIN), 5, "other@example.com"), False),
        (slot("10062", datetime(2026, 10, 12, 16, tzinfo=BERLIN), 5), False),  # itself
    ],
)
def test_overlap_is_in_real_time_and_per_zoom_user(other: HostedSlot, clashes: bool) -> None:
    assert bool(validate_for_zoom(syncable_course(), [other])) is clashes


def test_a_clash_across_midnight_shows_both_dates() -> None:
    late = slot("7", datetime(2026, 10, 12, 9, tzinfo=ZoneInfo("Australia/Sydney")), 20)

    [message] = messages(syncable_course(), [late])

    assert message.endswith("(12.10.2026 09:00\u201313.10.2026 05:00)")


def test_hosted_slots_of_a_course_are_its_sessions_on_its_host() -> None:
    slots = hosted_slots(syncable_course())

    assert [(s.host, s.start.hour, s.end.hour) for s in slots] == [
        ("akademie@example.com", 16, 21)
    ] * 3
    assert hosted_slots(contract_course()) == []


def test_the_host_is_the_supervisor_or_the_moderator_trainer() -> None:
    assert choose_host(syncable_course()) == "akademie@example.com"
    assert choose_host(with_trainers(trainer("Alexei Daiter", "a.daiter@zoom.example"))) == (
        "a.daiter@zoom.example"
    )
    with pytest.raises(NoHost):
        choose_host(contract_course())


@pytest.mark.parametrize(
    ("kind", "status", "synced"),
    [
        (VenueKind.ZOOM, CourseStatus.CONFIRMED, True),
        (VenueKind.ZOOM, CourseStatus.RUNNING, True),
        (VenueKind.ZOOM, CourseStatus.PLANNED, False),
        (VenueKind.ZOOM, CourseStatus.FINISHED, False),
        (VenueKind.ZOOM, CourseStatus.CANCELLED, False),
        (VenueKind.PHYSICAL, CourseStatus.CONFIRMED, False),
    ],
)
def test_which_courses_are_kept_in_zoom(
    kind: VenueKind, status: CourseStatus, synced: bool
) -> None:
    course = replace(contract_course(), status=status, venue=Venue("v", "Room", kind, 20))

    assert is_zoom_synced(course) is synced


def test_a_moderator_change_is_a_change_of_zoom_user() -> None:
    by_supervisor = syncable_course()
    by_trainer = with_trainers(trainer("Alexei Daiter", "a.daiter@zoom.example"))
    sharing = with_trainers(trainer("Alexei Daiter", "AKADEMIE@example.com"))

    assert moderator_changed(by_supervisor, by_trainer)
    assert moderator_changed(contract_course(), by_trainer)  # a host where there was none
    assert not moderator_changed(by_supervisor, sharing)  # same Zoom user, nothing to tell
    assert not moderator_changed(by_supervisor, replace(by_supervisor, title="New title"))
    assert not moderator_changed(
        by_supervisor, replace(by_supervisor, moderator=Moderator.SUPERVISOR)
    )
