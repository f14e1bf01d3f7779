"""Which bookings become registrants, and the error a booking gets when it can't."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.domain.booking_events import BookingStatus, Course, CourseStatus, Venue, VenueKind
from service.domain.emails import InvalidEmail
from service.domain.registrants import (
    RegistrantState,
    booking_problems,
    desired_registrant_state,
    registrant_body,
)
from tests.unit.booking_samples import booking, syncable_course

HOST = "akademie@example.com"


def small_course(seats: int | None = 2) -> Course:
    return replace(
        syncable_course(), venue=Venue("zoom-room", "Zoom Meeting Room", VenueKind.ZOOM, seats)
    )


@pytest.mark.parametrize(
    ("status", "course_status", "state"),
    [
        (BookingStatus.CONFIRMED, CourseStatus.CONFIRMED, RegistrantState.APPROVED),
        (BookingStatus.CONFIRMED, CourseStatus.RUNNING, RegistrantState.APPROVED),
        (BookingStatus.CANCELLED, CourseStatus.CONFIRMED, RegistrantState.CANCELLED),
        (BookingStatus.CONFIRMED, CourseStatus.PLANNED, RegistrantState.NONE),
        (BookingStatus.CONFIRMED, CourseStatus.FINISHED, RegistrantState.NONE),
        (BookingStatus.CANCELLED, CourseStatus.CANCELLED, RegistrantState.NONE),
    ],
)
def test_desired_registrant_state(
    status: BookingStatus, course_status: CourseStatus, state: RegistrantState
) -> None:
    course = replace(syncable_course(), status=course_status)

    assert desired_registrant_state(booking("B1", status=status), course) is state


def test_a_booking_of_another_course_is_a_caller_bug() -> None:
    with pytest.raises(ValueError, match="is for course 999"):
        desired_registrant_state(booking("B1", course_id="999"), syncable_course())


def test_the_host_booked_as_participant_is_refused() -> None:
    [problem] = booking_problems(booking("B1", "Akademie@example.com"), small_course(), HOST, [])

    assert problem.code == "host_booked"
    assert problem.message.startswith(
        "Rita Doro (Akademie@example.com) is the host of this meeting and can't be registered"
    )


def test_an_email_zoom_cant_take_is_refused_with_the_reason() -> None:
    [problem] = booking_problems(booking("B1", "jürgen@example.com"), small_course(), HOST, [])

    assert problem.code == "email_not_accepted"
    assert "non-ASCII characters (ü) before the @" in problem.message


def test_seats_go_first_come_first_served() -> None:
    first, second, third = (booking(f"B{i}", f"p{i}@example.com") for i in (1, 2, 3))
    in_order = [first, second, third]
    course = small_course(seats=2)

    assert booking_problems(first, course, HOST, in_order) == []
    assert booking_problems(second, course, HOST, in_order) == []
    [problem] = booking_problems(third, course, HOST, in_order)
    assert problem.code == "over_capacity"
    assert problem.message == (
        "Course 10062 is full: Zoom Meeting Room takes at most 2 participants and booking B3 "
        "is number 3 in booking order (first come, first served)"
    )


def test_bookings_that_cant_be_registrants_take_no_seat() -> None:
    host, umlaut = booking("B1", HOST), booking("B2", "jürgen@example.com")
    cancelled = booking("B3", "c@example.com", status=BookingStatus.CANCELLED)
    late = booking("B4", "late@example.com")

    assert (
        booking_problems(late, small_course(seats=1), HOST, [host, umlaut, cancelled, late]) == []
    )


def test_a_booking_not_yet_listed_counts_as_the_latest() -> None:
    others = [booking("B1", "a@example.com"), booking("B2", "b@example.com")]

    assert [p.code for p in booking_problems(booking("B9"), small_course(2), HOST, others)] == [
        "over_capacity"
    ]
    assert booking_problems(booking("B9"), small_course(None), HOST, others) == []


def test_a_cancelled_booking_has_no_problems_to_report() -> None:
    cancelled = booking("B1", HOST, status=BookingStatus.CANCELLED)

    assert booking_problems(cancelled, small_course(), HOST, []) == []


def test_the_registrant_body_is_approved_on_the_way_in() -> None:
    assert registrant_body(booking("B1", " Doro@Müller.DE ")) == {
        "email": "Doro@xn--mller-kva.de",
        "first_name": "Rita",
        "last_name": "Doro",
        "auto_approve": True,
    }
    with pytest.raises(InvalidEmail):
        registrant_body(booking("B1", "jürgen@example.com"))
