"""What each booking should be in Zoom, and why a booking can't be a registrant.

A problem with one booking is reported on that booking only; the other bookings go on
(CONTRACT §4). Seats go first come, first served: when the room is full, the bookings made
last are the ones left out.

Codes: `host_booked`, `email_not_accepted`, `over_capacity`.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from service.domain.booking_events import Booking, BookingStatus, Course
from service.domain.course_sync import is_zoom_synced
from service.domain.emails import InvalidEmail, zoom_email
from service.domain.hosting import same_zoom_user
from service.domain.validation_errors import ValidationError


class RegistrantState(StrEnum):
    APPROVED = "approved"  # should be an approved registrant (added, or approved again)
    CANCELLED = "cancelled"  # a registrant that exists should be cancelled; none is added
    NONE = "none"  # leave Zoom alone: the course is not (or no longer) kept in Zoom


def desired_registrant_state(booking: Booking, course: Course) -> RegistrantState:
    """From the booking's status, for a course that is Zoom-synced; NONE otherwise.

    A finished course keeps its registrants as they were; a cancelled one loses its meeting,
    and the registrants with it, so neither needs a registrant change.
    """
    if booking.course_id != course.id:
        raise ValueError(f"booking {booking.id} is for course {booking.course_id}, not {course.id}")
    if not is_zoom_synced(course):
        return RegistrantState.NONE
    if booking.status is BookingStatus.CONFIRMED:
        return RegistrantState.APPROVED
    return RegistrantState.CANCELLED


def booking_problems(
    booking: Booking, course: Course, host: str, active_bookings: Sequence[Booking]
) -> list[ValidationError]:
    """Why this booking can't be an approved registrant; empty when it can (or needn't be).

    `active_bookings` are the course's bookings in booking order (first come first); a booking
    not among them counts as the latest. Bookings that can't be registrants (host, bad email)
    take no seat.
    """
    if desired_registrant_state(booking, course) is not RegistrantState.APPROVED:
        return []
    problems = _own_problems(booking, host)
    if problems:
        return problems
    limit = course.venue.max_participants
    if limit is None:
        return []
    seated = [
        b.id
        for b in [*active_bookings, booking]
        if b.course_id == course.id
        and b.status is BookingStatus.CONFIRMED
        and not _own_problems(b, host)
    ]
    position = list(dict.fromkeys(seated)).index(booking.id) + 1
    if position <= limit:
        return []
    return [
        ValidationError(
            "over_capacity",
            f"Course {course.id} is full: {course.venue.name} takes at most {limit} "
            f"participants and booking {booking.id} is number {position} in booking order "
            "(first come, first served)",
        )
    ]


def registrant_body(booking: Booking) -> dict[str, object]:
    """The body of `POST /meetings/{id}/registrants`; approved at once (`auto_approve`).

    Raises `InvalidEmail` for an email Zoom can't take (check `booking_problems` first).
    """
    participant = booking.participant
    return {
        "email": zoom_email(participant.email),
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "auto_approve": True,
    }


def _own_problems(booking: Booking, host: str) -> list[ValidationError]:
    """What is wrong with the booking by itself, whatever the other bookings."""
    participant = booking.participant
    if same_zoom_user(participant.email, host):
        name = f"{participant.first_name} {participant.last_name}".strip()
        return [
            ValidationError(
                "host_booked",
                f"{name} ({participant.email}) is the host of this meeting and can't be "
                "registered; cancel the booking or book with another email address",
            )
        ]
    try:
        zoom_email(participant.email)
    except InvalidEmail as error:
        return [ValidationError("email_not_accepted", error.message)]
    return []
