"""Booking-system events as CONTRACT §3.2 shows them, and small builders on top of them."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date, time
from typing import Any

from service.domain.booking_events import (
    Booking,
    BookingStatus,
    Course,
    Moderator,
    Participant,
    Person,
    Session,
    Trainer,
    parse_booking_event,
)

COURSE_EVENT: dict[str, Any] = {
    "type": "course.upserted",
    "timestamp": "2026-10-01T12:00:00Z",
    "data": {
        "course": {
            "id": "10062",
            "version": 3,
            "title": "Narkose Grundschulung - Zoom-Webinar am Abend",
            "status": "confirmed",
            "timezone": "Europe/Berlin",
            "sessions": [
                {"date": "2026-10-12", "start": "16:00", "end": "21:00"},
                {"date": "2026-10-14", "start": "16:00", "end": "21:00"},
                {"date": "2026-10-16", "start": "16:00", "end": "21:00"},
            ],
            "venue": {
                "id": "zoom-room",
                "name": "Zoom Meeting Room",
                "kind": "zoom",
                "max_participants": 100,
            },
            "moderator": "trainer",
            "supervisor": {
                "id": "u-7",
                "name": "Joachim Fuchsluger",
                "email": "j.fuchsluger@example.com",
                "zoom_user": "akademie@example.com",
            },
            "trainers": [
                {
                    "id": "t-3",
                    "name": "Alexei Daiter",
                    "email": "a.daiter@example.com",
                    "zoom_user": None,
                    "moderator": True,
                }
            ],
        }
    },
}

BOOKING_EVENT: dict[str, Any] = {
    "type": "booking.upserted",
    "timestamp": "2026-10-01T12:05:00+02:00",
    "data": {
        "booking": {
            "id": "BN20-00159",
            "version": 1,
            "course_id": "10062",
            "status": "confirmed",
            "participant": {"first_name": "Rita", "last_name": "Doro", "email": "doro@example.com"},
        }
    },
}


def course_event() -> dict[str, Any]:
    """A fresh, mutable copy of the contract's course event."""
    return copy.deepcopy(COURSE_EVENT)


def contract_course() -> Course:
    """The contract's course exactly (its moderator trainer has no Zoom user)."""
    data = parse_booking_event(COURSE_EVENT).data
    assert isinstance(data, Course)
    return data


def session(day: date, start: str = "16:00", end: str = "21:00") -> Session:
    return Session(day, time.fromisoformat(start), time.fromisoformat(end))


def syncable_course(**changes: Any) -> Course:
    """The contract's course with the supervisor as host, so it validates; then `changes`."""
    return replace(contract_course(), moderator=Moderator.SUPERVISOR, **changes)


def trainer(name: str, zoom_user: str | None, *, moderator: bool = True) -> Trainer:
    return Trainer(f"t-{name}", name, None, zoom_user, moderator)


def supervisor(zoom_user: str | None = "akademie@example.com") -> Person:
    return Person("u-7", "Joachim Fuchsluger", "j.fuchsluger@example.com", zoom_user)


def booking(
    booking_id: str,
    email: str = "doro@example.com",
    *,
    status: BookingStatus = BookingStatus.CONFIRMED,
    course_id: str = "10062",
) -> Booking:
    return Booking(booking_id, 1, course_id, status, Participant("Rita", "Doro", email))
