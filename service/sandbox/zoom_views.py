"""The JSON Zoom answers with for meetings and registrants."""

from __future__ import annotations

from typing import Any

from service.sandbox.zoom_model import Meeting, Registrant
from service.sandbox.zoom_recurrence import Occurrence
from service.sandbox.zoom_time import format_utc


def occurrence_json(occurrence: Occurrence) -> dict[str, Any]:
    return {
        "occurrence_id": occurrence.occurrence_id,
        "start_time": format_utc(occurrence.start),
        "duration": occurrence.duration,
        "status": occurrence.status,
    }


def meeting_json(
    meeting: Meeting, base_url: str, occurrences: list[Occurrence], *, detail: bool
) -> dict[str, Any]:
    """Create's response (``detail`` false) or GET's (adds uuid, host_id, status)."""
    body: dict[str, Any] = {
        "id": meeting.id,
        "host_email": meeting.host_email,
        "topic": meeting.topic,
        "type": meeting.type,
        "timezone": meeting.timezone,
        "duration": meeting.duration,
        "agenda": meeting.agenda,
        "created_at": meeting.created_at,
        "join_url": f"{base_url}/j/{meeting.id}?pwd={meeting.encrypted_password}",
        "start_url": f"{base_url}/s/{meeting.id}?zak={meeting.uuid}",
        "password": meeting.password,
        "h323_password": meeting.password,
        "pstn_password": meeting.password,
        "encrypted_password": meeting.encrypted_password,
        "settings": dict(meeting.settings),
        "pre_schedule": bool(meeting.extras.get("pre_schedule", False)),
    }
    if meeting.start is not None:
        body["start_time"] = format_utc(meeting.start)
    if meeting.recurrence is not None:
        body["recurrence"] = dict(meeting.recurrence)
    if meeting.occurrences:
        body["occurrences"] = [occurrence_json(occurrence) for occurrence in occurrences]
    if meeting.registration_enabled:
        body["registration_url"] = f"{base_url}/meeting/register/{meeting.registration_token}"
    if "tracking_fields" in meeting.extras:
        body["tracking_fields"] = meeting.extras["tracking_fields"]
    if detail:
        body.update({"uuid": meeting.uuid, "host_id": meeting.host_id, "status": "waiting"})
    return body


LISTED_AGENDA_CHARS = 250


def listed_meeting_json(meeting: Meeting, base_url: str) -> dict[str, Any]:
    """A meeting as ``GET /users/{userId}/meetings`` lists it (the spec's fields; ``pmi`` only
    for PMI meetings, which the sandbox does not make); Zoom cuts ``agenda`` to 250 chars."""
    body: dict[str, Any] = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": meeting.type,
        "duration": meeting.duration,
        "timezone": meeting.timezone,
        "agenda": meeting.agenda[:LISTED_AGENDA_CHARS],
        "created_at": meeting.created_at,
        "join_url": f"{base_url}/j/{meeting.id}?pwd={meeting.encrypted_password}",
    }
    if meeting.start is not None:
        body["start_time"] = format_utc(meeting.start)
    return body


def registrant_occurrences(meeting: Meeting, registrant: Registrant) -> list[Occurrence]:
    if registrant.occurrence_ids is None:
        return list(meeting.occurrences)
    wanted = set(registrant.occurrence_ids)
    return [o for o in meeting.occurrences if o.occurrence_id in wanted]


def registrant_added_json(
    meeting: Meeting, registrant: Registrant, *, join_url: bool = True
) -> dict[str, Any]:
    """Add registrant's 201: no ``join_url`` while the registrant awaits manual approval (or
    ever, when `join_url` is False)."""
    body: dict[str, Any] = {
        "id": meeting.id,
        "registrant_id": registrant.id,
        "topic": meeting.topic,
        "start_time": format_utc(meeting.start) if meeting.start else None,
        "occurrences": [occurrence_json(o) for o in registrant_occurrences(meeting, registrant)],
        "participant_pin_code": registrant.participant_pin_code,
    }
    if join_url and registrant.status == "approved":
        body["join_url"] = registrant.join_url
    return body


def registrant_json(registrant: Registrant) -> dict[str, Any]:
    """A registrant as list and get return it."""
    return {
        **registrant.details,
        "id": registrant.id,
        "email": registrant.email,
        "first_name": registrant.first_name,
        "last_name": registrant.last_name,
        "status": registrant.status,
        "create_time": registrant.create_time,
        "join_url": registrant.join_url,
        "participant_pin_code": registrant.participant_pin_code,
    }


def meeting_state_json(meeting: Meeting) -> dict[str, Any]:
    """The control API's view of a meeting: what an observer of the account would see."""
    return {
        "id": meeting.id,
        "host_email": meeting.host_email,
        "topic": meeting.topic,
        "type": meeting.type,
        "start_time": format_utc(meeting.start) if meeting.start else None,
        "timezone": meeting.timezone,
        "duration": meeting.duration,
        "approval_type": meeting.settings.get("approval_type"),
        "recurrence": meeting.recurrence,
        "occurrences": [occurrence_json(o) for o in meeting.occurrences],
        "registrants": [
            {**registrant_json(r), "occurrence_ids": r.occurrence_ids}
            for r in meeting.registrants.values()
        ],
    }
