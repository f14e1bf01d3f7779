"""Parsing booking-system events: the contract's examples, and every problem at once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from service.domain.booking_events import (
    Booking,
    BookingCancelled,
    BookingStatus,
    Course,
    CourseCancelled,
    CourseStatus,
    InvalidEvent,
    Moderator,
    Participant,
    Session,
    Trainer,
    UnknownEventType,
    User,
    Venue,
    VenueKind,
    course_from_document,
    parse_booking_event,
)
from tests.unit.booking_samples import BOOKING_EVENT, contract_course, course_event


def problems_of(body: object) -> list[str]:
    with pytest.raises(InvalidEvent) as caught:
        parse_booking_event(body)
    return [str(p) for p in caught.value.problems]


def test_the_contracts_course_event_parses_into_a_course() -> None:
    event = parse_booking_event(course_event())

    assert event.type == "course.upserted"
    assert event.timestamp == datetime(2026, 10, 1, 12, tzinfo=UTC)
    course = event.data
    assert isinstance(course, Course)
    assert (course.id, course.version, course.status) == ("10062", 3, CourseStatus.CONFIRMED)
    assert course.timezone == "Europe/Berlin"
    assert course.sessions[0] == Session(date(2026, 10, 12), time(16), time(21))
    assert course.venue == Venue("zoom-room", "Zoom Meeting Room", VenueKind.ZOOM, 100)
    assert course.moderator is Moderator.TRAINER
    assert course.supervisor is not None
    assert course.supervisor.zoom_user == "akademie@example.com"
    assert course.trainers == (
        Trainer("t-3", "Alexei Daiter", "a.daiter@example.com", None, moderator=True),
    )


def test_the_contracts_booking_event_parses_into_a_booking() -> None:
    booking = parse_booking_event(BOOKING_EVENT).data

    assert booking == Booking(
        "BN20-00159",
        1,
        "10062",
        BookingStatus.CONFIRMED,
        Participant("Rita", "Doro", "doro@example.com"),
    )


@pytest.mark.parametrize(
    ("type_", "data", "expected"),
    [
        ("course.cancelled", {"course_id": "10062", "version": 4}, CourseCancelled("10062", 4)),
        (
            "booking.cancelled",
            {"booking_id": "BN20-00159", "course_id": "10062", "version": 2},
            BookingCancelled("BN20-00159", "10062", 2),
        ),
        (
            "user.upserted",
            {
                "user": {
                    "id": "123",
                    "version": 1,
                    "name": "Max Mustermann",
                    "email": "max@example.com",
                    "role": "teacher",
                }
            },
            User("123", 1, "Max Mustermann", "max@example.com", "teacher"),
        ),
    ],
)
def test_the_contracts_other_events_parse(type_: str, data: object, expected: object) -> None:
    body = {"type": type_, "timestamp": "2026-10-01T12:00:00Z", "data": data}

    assert parse_booking_event(body).data == expected


def test_an_unknown_type_is_named_not_listed_as_a_problem() -> None:
    with pytest.raises(UnknownEventType) as caught:
        parse_booking_event({"type": "course.upsertd", "timestamp": "x", "data": {}})

    assert caught.value.type == "course.upsertd"


def test_every_problem_of_a_course_is_listed_with_where_it_is() -> None:
    body = course_event()
    course = body["data"]["course"]
    course["id"] = ""
    course["version"] = 0
    course["status"] = "confirmd"
    course["timezone"] = "Europe/Berlinn"
    course["sessions"][0]["date"] = "12.10.2026"
    course["sessions"][1]["start"] = "4pm"
    course["sessions"][2]["end"] = "15:00"
    course["venue"]["max_participants"] = "100"
    course["trainers"][0]["moderator"] = "yes"
    del course["title"]

    assert problems_of(body) == [
        "data.course.id: must not be empty",
        "data.course.version: must be a positive integer",
        "data.course.title: is required",
        "data.course.status: expected one of planned | confirmed | running | finished | "
        "cancelled, got 'confirmd'",
        "data.course.timezone: 'Europe/Berlinn' is not an IANA time zone (e.g. Europe/Berlin)",
        "data.course.sessions[0].date: expected YYYY-MM-DD",
        "data.course.sessions[1].start: expected HH:MM",
        "data.course.sessions[2].end: must be after start (16:00)",
        "data.course.venue.max_participants: expected a positive integer or null",
        "data.course.trainers[0].moderator: expected true or false",
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"version": True}, "data.course.version: expected a positive integer"),
        ({"version": 2.0}, "data.course.version: expected a positive integer"),
        ({"id": 10062}, "data.course.id: expected a non-empty string"),
        ({"sessions": {}}, "data.course.sessions: expected a list"),
        ({"sessions": ["2026-10-12"]}, "data.course.sessions[0]: expected an object"),
        ({"venue": None}, "data.course.venue: expected an object"),
        (
            {"moderator": "host"},
            "data.course.moderator: expected one of supervisor | trainer, got 'host'",
        ),
        (
            {"timezone": "CEST"},
            "data.course.timezone: 'CEST' is not an IANA time zone (e.g. Europe/Berlin)",
        ),
    ],
)
def test_wrong_types_and_values_are_rejected(change: dict[str, Any], problem: str) -> None:
    body = course_event()
    body["data"]["course"].update(change)

    assert problems_of(body) == [problem]


@pytest.mark.parametrize(
    ("session", "problem"),
    [
        (
            {"date": "2026-02-30", "start": "16:00", "end": "21:00"},
            "date: '2026-02-30' is not a calendar date",
        ),
        ({"date": "20261012", "start": "16:00", "end": "21:00"}, "date: expected YYYY-MM-DD"),
        ({"date": "2026-10-12", "start": "24:00", "end": "21:00"}, "start: expected HH:MM"),
        ({"date": "2026-10-12", "start": "16:00:00", "end": "21:00"}, "start: expected HH:MM"),
        (
            {"date": "2026-10-12", "start": "16:00", "end": "16:00"},
            "end: must be after start (16:00)",
        ),
        ({"date": "2026-10-12", "start": "16:00"}, "end: is required"),
    ],
)
def test_session_dates_and_times_are_strict(session: dict[str, str], problem: str) -> None:
    body = course_event()
    body["data"]["course"]["sessions"] = [session]

    assert problems_of(body) == [f"data.course.sessions[0].{problem}"]


def test_nullable_fields_take_null_but_not_empty_strings() -> None:
    body = course_event()
    course = body["data"]["course"]
    course["supervisor"] = None
    course["venue"]["max_participants"] = None
    assert parse_booking_event(body).data == dataclasses.replace(
        contract_course(),
        supervisor=None,
        venue=Venue("zoom-room", "Zoom Meeting Room", VenueKind.ZOOM, None),
    )

    course["trainers"][0]["zoom_user"] = ""
    assert problems_of(body) == [
        "data.course.trainers[0].zoom_user: must not be empty (use null when not set)"
    ]


def test_a_booking_lists_its_problems_and_allows_an_empty_last_name() -> None:
    body = {
        "type": "booking.upserted",
        "timestamp": "2026-10-01T12:00:00Z",
        "data": {
            "booking": {
                "id": "BN20-00159",
                "version": -1,
                "status": "canceled",
                "participant": {"first_name": "Cher", "last_name": "", "email": 7},
            }
        },
    }

    assert problems_of(body) == [
        "data.booking.version: must be a positive integer",
        "data.booking.course_id: is required",
        "data.booking.status: expected one of confirmed | cancelled, got 'canceled'",
        "data.booking.participant.email: expected a non-empty string",
    ]


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        ([], ["body: expected an object"]),
        ({}, ["type: is required", "timestamp: is required", "data: is required"]),
        (
            {"type": "course.cancelled", "timestamp": "2026-10-01T12:00:00", "data": []},
            [
                "timestamp: expected an ISO-8601 date-time with an offset or Z",
                "data: expected an object",
            ],
        ),
        (
            {"type": "course.cancelled", "timestamp": "yesterday", "data": {"version": 2}},
            [
                "timestamp: expected an ISO-8601 date-time with an offset or Z",
                "data.course_id: is required",
            ],
        ),
    ],
)
def test_envelope_problems(body: object, problems: list[str]) -> None:
    assert problems_of(body) == problems


def test_unknown_extra_fields_are_ignored() -> None:
    body = course_event()
    body["data"]["course"]["language"] = "de"
    body["producer"] = "semco"

    assert parse_booking_event(body).data == contract_course()


def test_parsed_objects_are_immutable() -> None:
    course = contract_course()

    with pytest.raises(dataclasses.FrozenInstanceError):
        course.title = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("email", ["not-an-email", "a@b@example.com", "@example.com", "max@"])
def test_an_email_without_one_at_and_both_parts_is_invalid_data(email: str) -> None:
    body = {
        "type": "booking.upserted",
        "timestamp": "2026-10-01T12:00:00Z",
        "data": {
            "booking": {
                "id": "BN20-00160",
                "version": 1,
                "course_id": "10062",
                "status": "confirmed",
                "participant": {"first_name": "Rita", "last_name": "Doro", "email": email},
            }
        },
    }

    assert problems_of(body) == [
        "data.booking.participant.email: expected an email address such as max@example.com"
    ]


def test_a_user_email_is_checked_too() -> None:
    body = {
        "type": "user.upserted",
        "timestamp": "2026-10-01T12:00:00Z",
        "data": {
            "user": {"id": "1", "version": 1, "name": "M", "email": "nope", "role": "teacher"}
        },
    }
    assert problems_of(body) == [
        "data.user.email: expected an email address such as max@example.com"
    ]


def test_a_stored_course_document_loads_as_the_course_its_event_carried() -> None:
    assert course_from_document(course_event()["data"]["course"]) == contract_course()


def test_a_stored_course_document_that_is_not_a_course_names_every_problem() -> None:
    document = course_event()["data"]["course"]
    document["version"] = 0
    del document["venue"]

    with pytest.raises(InvalidEvent) as caught:
        course_from_document(document)
    assert [str(p) for p in caught.value.problems] == [
        "version: must be a positive integer",
        "venue: is required",
    ]
