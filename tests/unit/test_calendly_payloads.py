"""Calendly envelope, dedupe keys and snapshot parsing, against the facts file's examples."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from service.domain.calendly import (
    HANDLED_EVENTS,
    CalendlyStatus,
    Cancellation,
    Location,
    MalformedPayload,
    MalformedWebhook,
    NoShow,
    dedupe_key,
    invitee_from_payload,
    invitee_from_rest,
    parse_webhook,
    scheduled_event_from_payload,
    scheduled_event_from_rest,
)
from service.domain.json_text import parse_json

FIXTURES = Path(__file__).parent / "fixtures" / "calendly"
OLD_INVITEE = "https://api.calendly.com/scheduled_events/OLD_EVENT/invitees/OLD_INVITEE"
NEW_INVITEE = "https://api.calendly.com/scheduled_events/NEW_EVENT/invitees/NEW_INVITEE"


def fixture(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return document


def body(document: dict[str, Any]) -> Any:
    """A delivery as ingress hands it to the domain: parsed by `service.domain.json_text`."""
    return parse_json(json.dumps(document).encode()).value


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# --- envelope ---------------------------------------------------------------------------------


def test_envelope_of_calendly_example_is_read() -> None:
    webhook = parse_webhook(body(fixture("invitee_created")))

    assert webhook.event == "invitee.created"
    assert webhook.created_at == datetime(2020, 11, 23, 17, 51, 19, tzinfo=UTC)
    assert webhook.payload["email"] == "test@example.com"
    assert webhook.handled


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"[1, 2]", "not a JSON object"),
        (b'{"payload": {}}', "event is missing"),
        (b'{"event": 5, "payload": {}}', "event is missing"),
        (b'{"event": "invitee.created"}', "payload is missing"),
        (b'{"event": "invitee.created", "payload": "x"}', "payload is missing"),
        (b'{"event": "invitee.created", "payload": {}}', "without payload.uri"),
        (
            b'{"event": "invitee_no_show.created", "payload": {"uri": "u"}}',
            "without created_at",
        ),
        (
            b'{"event": "invitee.created", "created_at": "yesterday", "payload": {"uri": "u"}}',
            "created_at",
        ),
    ],
)
def test_bodies_we_cannot_take_in_are_malformed(raw: bytes, reason: str) -> None:
    with pytest.raises(MalformedWebhook, match=reason):
        parse_webhook(parse_json(raw).value)


def test_unhandled_event_is_accepted_but_not_handled() -> None:
    webhook = parse_webhook({"event": "routing_form_submission.created", "payload": {"a": 1}})

    assert not webhook.handled
    assert dedupe_key(webhook).startswith("routing_form_submission.created sha256:")


def test_handled_events_are_those_of_the_contract() -> None:
    assert {
        "invitee.created",
        "invitee.canceled",
        "invitee_no_show.created",
        "invitee_no_show.deleted",
        "scheduled_event.created",
        "scheduled_event.updated",
        "scheduled_event.canceled",
    } == HANDLED_EVENTS


def test_invitee_dedupe_key_is_event_and_uri_so_retries_collide() -> None:
    created = fixture("invitee_created")
    retry = dict(created, created_at="2020-11-23T18:30:00.000000Z")

    key = dedupe_key(parse_webhook(body(created)))

    uri = "https://api.calendly.com/scheduled_events/AAAAAAAAAAAAAAAA/invitees/AAAAAAAAAAAAAAAA"
    assert key == f"invitee.created {uri}"
    assert dedupe_key(parse_webhook(body(retry))) == key
    assert dedupe_key(parse_webhook(body(fixture("invitee_canceled")))) != key


def test_no_show_dedupe_key_includes_created_at_because_it_can_toggle() -> None:
    envelope = {"event": "invitee_no_show.created", "payload": {"uri": OLD_INVITEE}}
    first = parse_webhook(body(dict(envelope, created_at="2026-05-05T16:00:00.000000Z")))
    again = parse_webhook(body(dict(envelope, created_at="2026-05-05T16:00:00Z")))
    later = parse_webhook(body(dict(envelope, created_at="2026-05-05T17:00:00.000000Z")))

    assert dedupe_key(first) == dedupe_key(again)
    assert dedupe_key(first) != dedupe_key(later)
    assert dedupe_key(first) == f"invitee_no_show.created {OLD_INVITEE} 2026-05-05T16:00:00+00:00"


# --- invitees -----------------------------------------------------------------------------------


def test_invitee_created_example_becomes_an_active_snapshot() -> None:
    invitee = invitee_from_payload(fixture("invitee_created")["payload"])

    assert invitee.uri.endswith("/invitees/AAAAAAAAAAAAAAAA")
    assert invitee.event_uri == "https://api.calendly.com/scheduled_events/AAAAAAAAAAAAAAAA"
    assert (invitee.name, invitee.email) == ("John Doe", "test@example.com")
    assert invitee.status is CalendlyStatus.ACTIVE
    assert invitee.cancellation is None
    assert (invitee.rescheduled, invitee.old_invitee, invitee.new_invitee) == (False, None, None)
    assert invitee.no_show is None
    assert invitee.created_at == utc("2020-11-23T17:51:18.327602Z")
    assert invitee.updated_at == utc("2020-11-23T17:51:18.341657Z")


def test_invitee_canceled_example_carries_the_cancellation() -> None:
    invitee = invitee_from_payload(fixture("invitee_canceled")["payload"])

    assert invitee.status is CalendlyStatus.CANCELED
    assert invitee.cancellation == Cancellation(
        canceled_by="John Doe",
        reason="Meeting Conflict",
        canceler_type="invitee",
        created_at=utc("2020-11-23T17:54:22.356897Z"),
    )
    assert not invitee.rescheduled


def test_reschedule_deliveries_point_at_each_other() -> None:
    old = invitee_from_payload(fixture("reschedule_old_invitee_canceled")["payload"])
    new = invitee_from_payload(fixture("reschedule_new_invitee_created")["payload"])

    assert (old.uri, old.status, old.rescheduled) == (OLD_INVITEE, CalendlyStatus.CANCELED, True)
    assert old.new_invitee == NEW_INVITEE
    assert old.cancellation is not None
    assert old.cancellation.reason is None
    assert (new.uri, new.status, new.old_invitee) == (
        NEW_INVITEE,
        CalendlyStatus.ACTIVE,
        OLD_INVITEE,
    )


def test_no_show_mark_is_read() -> None:
    payload = dict(
        fixture("invitee_created")["payload"],
        no_show={
            "uri": "https://api.calendly.com/invitee_no_shows/NS",
            "created_at": "2026-05-05T16:00:00Z",
        },
    )

    assert invitee_from_payload(payload).no_show == NoShow(
        uri="https://api.calendly.com/invitee_no_shows/NS", created_at=utc("2026-05-05T16:00:00Z")
    )


def test_name_falls_back_to_first_and_last_name() -> None:
    payload = dict(
        fixture("invitee_created")["payload"], name=None, first_name="Ada", last_name="L"
    )

    assert invitee_from_payload(payload).name == "Ada L"


def test_event_uri_falls_back_to_the_embedded_event() -> None:
    payload = dict(fixture("invitee_created")["payload"])
    del payload["event"]

    assert invitee_from_payload(payload).event_uri == (
        "https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ2"
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"uri": None}, "payload.uri"),
        ({"email": 7}, "payload.email"),
        ({"status": "deleted"}, "payload.status"),
        ({"rescheduled": "yes"}, "payload.rescheduled"),
        ({"updated_at": "2020-11-23T17:51:18"}, "payload.updated_at"),
        ({"cancellation": "late"}, "payload.cancellation"),
        ({"no_show": {"uri": "u"}}, "payload.no_show.created_at"),
        ({"name": None, "first_name": None, "last_name": None}, "payload.name"),
    ],
)
def test_malformed_invitee_names_the_field(change: dict[str, object], field: str) -> None:
    payload = dict(fixture("invitee_created")["payload"], **change)

    with pytest.raises(MalformedPayload) as raised:
        invitee_from_payload(payload)
    assert raised.value.field == field


def test_rest_invitee_equals_the_webhook_snapshot() -> None:
    payload = fixture("reschedule_new_invitee_created")["payload"]
    resource = {key: value for key, value in payload.items() if key != "scheduled_event"}

    from_rest = invitee_from_rest(resource, "https://api.calendly.com/scheduled_events/NEW_EVENT")

    assert from_rest == invitee_from_payload(payload)


# --- scheduled events ---------------------------------------------------------------------------


def test_embedded_scheduled_event_is_read() -> None:
    event = scheduled_event_from_payload(fixture("reschedule_old_invitee_canceled")["payload"])

    assert event is not None
    assert event.uri == "https://api.calendly.com/scheduled_events/OLD_EVENT"
    assert event.name == "30 Minute Meeting"
    assert event.status is CalendlyStatus.CANCELED
    assert event.start_time == datetime(2026, 5, 5, 15, 0, tzinfo=UTC)
    assert event.end_time == datetime(2026, 5, 5, 15, 30, tzinfo=UTC)
    assert event.event_type == "https://api.calendly.com/event_types/ET"
    assert event.location == Location(
        kind="google_conference", join_url="https://calendly.com/events/OLD_EVENT/google_meet"
    )
    assert event.updated_at == utc("2026-05-02T10:15:02.500000Z")


def test_old_payloads_without_embedded_event_give_none() -> None:
    payload = dict(fixture("invitee_created")["payload"])
    del payload["scheduled_event"]

    assert scheduled_event_from_payload(payload) is None


def rest_event(**changes: object) -> dict[str, object]:
    resource: dict[str, object] = fixture("invitee_created")["payload"]["scheduled_event"]
    return dict(resource, **changes)


def test_rest_event_equals_the_embedded_one() -> None:
    payload = fixture("invitee_canceled")["payload"]

    assert scheduled_event_from_rest(payload["scheduled_event"]) == (
        scheduled_event_from_payload(payload)
    )


def test_rest_event_cancellation_is_read() -> None:
    cancellation = {"canceled_by": "Host Name", "reason": "ill", "canceler_type": "host"}

    event = scheduled_event_from_rest(rest_event(status="canceled", cancellation=cancellation))

    assert event.status is CalendlyStatus.CANCELED
    assert event.cancellation == Cancellation("Host Name", "ill", "host", None)


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (
            {"type": "physical", "location": "Hauptstr. 1", "additional_info": "2nd floor"},
            Location(kind="physical", address="Hauptstr. 1", text="2nd floor"),
        ),
        (
            {"type": "physical", "location": "https://maps.example/x"},
            Location(kind="physical", address="https://maps.example/x"),
        ),
        (
            {"type": "outbound_call", "location": "+49 30 123"},
            Location(kind="outbound_call", text="+49 30 123"),
        ),
        ({"type": "outbound_call", "location": None}, Location(kind="outbound_call")),
        (
            {"type": "inbound_call", "location": "+1 555 0100"},
            Location(kind="inbound_call", text="+1 555 0100"),
        ),
        (
            {"type": "google_conference", "status": "pushed", "join_url": "https://meet/x"},
            Location(kind="google_conference", join_url="https://meet/x"),
        ),
        (
            {"type": "google_conference", "status": "processing", "join_url": None},
            Location(kind="google_conference"),
        ),
        (
            {
                "type": "zoom",
                "status": "pushed",
                "join_url": "https://zoom.us/j/1",
                "data": {"id": 1, "password": "secret", "settings": {}, "extra": {}},
            },
            Location(kind="zoom", join_url="https://zoom.us/j/1"),
        ),
        (
            {"type": "zoom_conference", "status": "pushed", "join_url": "https://zoom.us/j/2"},
            Location(kind="zoom", join_url="https://zoom.us/j/2"),
        ),
        (
            {"type": "gotomeeting", "status": "pushed", "join_url": "https://gotomeet.me/x"},
            Location(kind="gotomeeting", join_url="https://gotomeet.me/x"),
        ),
        (
            {
                "type": "microsoft_teams_conference",
                "status": "pushed",
                "join_url": "https://teams/x",
                "data": {"id": "x", "audioConferencing": None},
            },
            Location(kind="microsoft_teams_conference", join_url="https://teams/x"),
        ),
        (
            {"type": "webex_conference", "status": "initiated", "join_url": None},
            Location(kind="webex_conference"),
        ),
        (
            {"type": "custom", "location": "https://zoom.us/j/3"},
            Location(kind="custom", join_url="https://zoom.us/j/3", text="https://zoom.us/j/3"),
        ),
        ({"type": "custom", "location": None}, Location(kind="custom")),
        (
            {"type": "ask_invitee", "location": "Call me on Skype"},
            Location(kind="ask_invitee", text="Call me on Skype"),
        ),
        (
            "https://zoom.us/j/4",
            Location(kind="custom", join_url="https://zoom.us/j/4", text="https://zoom.us/j/4"),
        ),
        (None, None),
    ],
)
def test_every_location_variant_is_read(location: object, expected: Location | None) -> None:
    assert scheduled_event_from_rest(rest_event(location=location)).location == expected


def test_location_label_prefers_the_link_then_the_address() -> None:
    assert Location("zoom", join_url="https://z", text="t").label == "https://z"
    assert Location("physical", address="Hauptstr. 1", text="2nd floor").label == "Hauptstr. 1"
    assert Location("outbound_call", text="+49").label == "+49"
    assert Location("google_conference").label is None


def test_times_are_converted_to_utc() -> None:
    event = scheduled_event_from_rest(
        rest_event(start_time="2026-10-12T16:00:00+02:00", end_time="2026-10-12T21:00:00+02:00")
    )

    assert event.start_time == datetime(2026, 10, 12, 14, 0, tzinfo=UTC)
    assert event.start_time.tzinfo is UTC


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start_time": "2026-10-12 16:00"}, "resource.start_time"),
        ({"start_time": "soon"}, "resource.start_time"),
        ({"end_time": "2019-08-24T14:00:00Z"}, "resource.end_time"),
        ({"name": ""}, "resource.name"),
        ({"location": 5}, "resource.location"),
        ({"location": {"join_url": "https://x"}}, "resource.location.type"),
        ({"location": {"type": "zoom", "join_url": 5}}, "resource.location.join_url"),
    ],
)
def test_malformed_event_names_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(MalformedPayload) as raised:
        scheduled_event_from_rest(rest_event(**change))
    assert raised.value.field == field
