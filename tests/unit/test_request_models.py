"""Request models answer 422 as the API always has: every problem, its field, our words."""

from __future__ import annotations

from typing import Any

import pytest

from service.api.models.queries import InboxQuery, ParticipationsQuery
from service.api.models.requests import EventTypeZoom, NewParticipation, SyncBody
from service.http.attendee_input import AttendeeEdit, NewAttendee
from service.http.errors import ApiError
from service.http.validation import field_name, parse, parse_query


def _problems(model: Any, body: Any) -> list[dict[str, str]]:
    with pytest.raises(ApiError) as raised:
        parse(model, body)
    assert raised.value.status == 422
    return raised.value.details


def test_every_problem_is_listed_unknown_fields_first() -> None:
    assert _problems(NewAttendee, {"email": "a b@example.com", "nme": "Typo"}) == [
        {"field": "nme", "problem": "unknown field"},
        {"field": "name", "problem": "required: a non-empty string"},
        {"field": "email", "problem": "expected an email address such as max@example.com"},
    ]


def test_a_missing_field_reads_as_its_rule_says_of_null() -> None:
    assert _problems(NewParticipation, {}) == [
        {"field": "teacher_id", "problem": "required: a user id"},
        {"field": "webinar_date", "problem": "required: an ISO-8601 date-time"},
    ]


def test_rules_are_strict_where_pydantic_would_convert() -> None:
    assert [p["field"] for p in _problems(AttendeeEdit, {"prognosis_class_count": "2"})] == [
        "prognosis_class_count"
    ]
    assert _problems(AttendeeEdit, {"user_id": True})[0]["field"] == "user_id"
    assert _problems(EventTypeZoom, {"meeting_id": "١٢٣"})[0]["field"] == "meeting_id"


def test_values_are_kept_as_the_handlers_need_them() -> None:
    edit = parse(AttendeeEdit, {"name": "  Ada ", "user_id": 42, "notes": None})
    assert edit.changes() == {"name": "Ada", "user_id": "42", "notes": None}
    assert parse(EventTypeZoom, {"meeting_id": "123"}).meeting_id == 123
    assert parse(SyncBody, {}).mode == "recent"


def test_a_field_that_belongs_to_another_mode_is_refused() -> None:
    assert _problems(SyncBody, {"mode": "full", "since": "2026-01-01"}) == [
        {"field": "since", "problem": "only allowed with mode since"}
    ]


def test_a_body_that_is_not_an_object_is_one_problem() -> None:
    assert _problems(NewAttendee, []) == [{"field": "body", "problem": "expected a JSON object"}]


def test_locations_read_like_the_json() -> None:
    assert field_name(("updates", 1, "attendee_id")) == "updates[1].attendee_id"
    assert field_name(()) == "body"


def test_a_query_names_the_fields_it_refuses_and_drops_empty_values() -> None:
    with pytest.raises(ApiError) as raised:
        parse_query(InboxQuery, {"status": "late", "limit": "0", "type": ""})
    assert raised.value.message == "invalid limit, status"
    assert raised.value.details == [
        {"field": "limit", "problem": "expected 1–500"},
        {"field": "status", "problem": "expected one of pending, done, ignored, dead"},
    ]
    assert parse_query(InboxQuery, {"type": "", "limit": "7"}).page() == (None, 7)


def test_query_numbers_are_ascii_digits_only() -> None:
    with pytest.raises(ApiError):
        parse_query(InboxQuery, {"limit": "٣"})
    with pytest.raises(ApiError):
        parse_query(ParticipationsQuery, {"event_id": "１２"})
