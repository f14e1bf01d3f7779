"""Bulk attendance requests."""

from __future__ import annotations

import pytest

from service.domain.attendance import (
    AttendanceUpdate,
    InvalidAttendanceUpdates,
    Problem,
    parse_attendance_updates,
)


def problems_of(body: object) -> list[Problem]:
    with pytest.raises(InvalidAttendanceUpdates) as raised:
        parse_attendance_updates(body)
    return list(raised.value.problems)


def test_valid_request_gives_one_update_per_attendee() -> None:
    body = {
        "updates": [
            {"attendee_id": 1, "attended": True},
            {"attendee_id": 2, "attended": False},
            {"attendee_id": 3, "attended": None},
        ]
    }

    assert parse_attendance_updates(body) == (
        AttendanceUpdate(1, True),
        AttendanceUpdate(2, False),
        AttendanceUpdate(3, None),
    )


def test_empty_list_changes_nothing() -> None:
    assert parse_attendance_updates({"updates": []}) == ()


@pytest.mark.parametrize(
    ("body", "field"),
    [([], "body"), ({}, "updates"), ({"updates": {"attendee_id": 1}}, "updates")],
)
def test_wrong_request_shape_is_one_problem(body: object, field: str) -> None:
    assert [p.field for p in problems_of(body)] == [field]


def test_every_problem_is_listed_at_once() -> None:
    body = {
        "updates": [
            {"attendee_id": 1, "attended": True},
            {"attendee_id": "2", "attended": "yes"},
            {"attendee_id": True, "attended": False},
            {"attendee_id": 0, "attended": None},
            {"attendee_id": 1, "attended": False},
            {"attendee_id": 4},
            "five",
            {"attendee_id": 6, "attended": True, "atended": True},
        ],
        "dry_run": True,
    }

    assert problems_of(body) == [
        Problem("dry_run", "unknown field"),
        Problem("updates[1].attendee_id", "must be a positive integer"),
        Problem("updates[1].attended", "must be true, false or null"),
        Problem("updates[2].attendee_id", "must be a positive integer"),
        Problem("updates[3].attendee_id", "must be a positive integer"),
        Problem("updates[4].attendee_id", "attendee 1 already appears in updates[0]"),
        Problem("updates[5].attended", "must be true, false or null"),
        Problem("updates[6]", "must be an object"),
        Problem("updates[7].atended", "unknown field"),
    ]


def test_refusal_message_lists_the_problems() -> None:
    with pytest.raises(InvalidAttendanceUpdates, match=r"updates\[0\].attended: must be"):
        parse_attendance_updates({"updates": [{"attendee_id": 1}]})
