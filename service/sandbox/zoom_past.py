"""Held meetings in the sandbox Zoom: instances, their participant rows, and `meeting.ended`.

A test (or `webinar-sync sandbox hold-meeting`) holds a meeting through the control API: who
joined, left, rejoined or waited in the waiting room, with or without an email. The instance
gets a UUID (base64, as Zoom's; a test may choose one that starts with `/` to exercise double
encoding) and its rows are served by `GET /v2/past_meetings/{uuid}/participants` as Zoom does:
pages of `page_size` with a `next_page_token`, one row per join segment, and "not found" until
the instance is ready (`past_participants_delay_seconds` after it was held: Zoom fills the list
late). Passing the meeting id instead of a UUID gives the latest instance, as Zoom does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import httpx

from service.sandbox.zoom_errors import ZoomError
from service.sandbox.zoom_model import HeldInstance, Meeting
from service.sandbox.zoom_state import ZoomAccount
from service.sandbox.zoom_time import format_utc


def _not_found(meeting: str) -> ZoomError:
    return ZoomError(404, 3001, f"Meeting {meeting} is not found or has expired.")


def _instance_uuid(account: ZoomAccount) -> str:
    digest = hashlib.sha256(f"{time.time_ns()}:{len(account.past.instances)}".encode()).digest()
    return base64.b64encode(digest[:16]).decode()


def _parse_time(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise ZoomError(400, 300, f"{name} must be an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ZoomError(400, 300, f"{name} must be an ISO 8601 time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _default_start(meeting: Meeting, occurrence_id: object) -> datetime:
    if isinstance(occurrence_id, str):
        for occurrence in meeting.occurrences:
            if occurrence.occurrence_id == occurrence_id:
                return occurrence.start
        raise ZoomError(404, 3000, f"Occurrence {occurrence_id} not found")
    if meeting.start is not None:
        return meeting.start
    return datetime.now(UTC).replace(microsecond=0)


def _rows(
    account: ZoomAccount, meeting: Meeting, start: datetime, people: list[Any]
) -> list[dict[str, Any]]:
    rows = []
    for number, person in enumerate(people):
        if not isinstance(person, dict) or not isinstance(person.get("name"), str):
            raise ZoomError(400, 300, f"participants[{number}] needs a name")
        email = str(person.get("email") or "")
        registrant = meeting.registrant_by_email(email) if email else None
        registrant_id = registrant.id if registrant and person.get("registered", True) else ""
        shown_email = "" if person.get("hide_email") else email
        segments = person.get("segments") or [[0, meeting.duration]]
        status = "in_waiting_room" if person.get("waiting_room") else "in_meeting"
        user_id = str(16778240 + number)
        for segment in segments:
            if not (isinstance(segment, list) and len(segment) == 2):
                raise ZoomError(400, 300, f"participants[{number}].segments: [[from, to], …]")
            joined = start + timedelta(minutes=float(segment[0]))
            left = start + timedelta(minutes=float(segment[1]))
            rows.append(
                {
                    "id": "" if not person.get("internal") else f"u{number}",
                    "name": person["name"],
                    "user_id": user_id,
                    "registrant_id": registrant_id,
                    "user_email": shown_email,
                    "join_time": format_utc(joined),
                    "leave_time": format_utc(left),
                    "duration": int((left - joined).total_seconds()),
                    "failover": False,
                    "status": status,
                    "internal_user": False,
                }
            )
    return rows


def hold(account: ZoomAccount, meeting_id: int, spec: dict[str, Any], now: float) -> HeldInstance:
    """Record a held instance of the meeting; raises `ZoomError` for an unknown meeting."""
    meeting = account.meetings.get(meeting_id)
    if meeting is None:
        raise _not_found(str(meeting_id))
    start = (
        _parse_time(spec["start_time"], "start_time")
        if "start_time" in spec
        else _default_start(meeting, spec.get("occurrence_id"))
    )
    duration = int(spec.get("duration", meeting.duration))
    people = spec.get("participants", [])
    if not isinstance(people, list):
        raise ZoomError(400, 300, "participants must be a list")
    uuid = str(spec.get("uuid") or _instance_uuid(account))
    if uuid in account.past.instances:
        raise ZoomError(409, 3000, f"instance {uuid} was held already")
    delay = spec.get("ready_after_seconds", account.settings.past_participants_delay_seconds)
    instance = HeldInstance(
        uuid=uuid,
        meeting_id=meeting_id,
        start=start,
        end=start + timedelta(minutes=duration),
        rows=_rows(account, meeting, start, people),
        ready_at=now + float(delay),
        topic=meeting.topic,
        host_id=meeting.host_id,
        timezone=meeting.timezone,
        duration=duration,
    )
    account.past.instances[uuid] = instance
    return instance


def _decoded_instance(raw: str) -> str:
    """The UUID from a path segment already decoded once by the server.

    Zoom needs a UUID that starts with `/` or contains `//` encoded twice: once decoded it
    still holds `%`. Sent encoded only once, such a UUID reaches Zoom broken and is not found.
    """
    if "%" in raw:
        return unquote(raw)
    if raw.startswith("/") or "//" in raw:
        raise _not_found(raw)
    return raw


def participants(
    account: ZoomAccount, meeting: str, params: dict[str, Any], now: float
) -> dict[str, Any]:
    """`GET /past_meetings/{uuid or id}/participants`."""
    key = _decoded_instance(meeting)
    instance = account.past.instances.get(key)
    if instance is None and key.isdigit():
        held = [i for i in account.past.instances.values() if i.meeting_id == int(key)]
        instance = held[-1] if held else None
    if instance is None or instance.ready_at > now:
        raise _not_found(key)
    page, paging = account.paginate(instance.rows, f"past:{instance.uuid}", params)
    paging.pop("page_number", None)
    return {**paging, "participants": page}


def instances(account: ZoomAccount, meeting_id: int) -> dict[str, Any]:
    """`GET /past_meetings/{id}/instances`: every held instance of the meeting."""
    held = [i for i in account.past.instances.values() if i.meeting_id == meeting_id]
    return {"meetings": [{"uuid": i.uuid, "start_time": format_utc(i.start)} for i in held]}


def meeting_ended_event(instance: HeldInstance, account_id: str, now: float) -> dict[str, Any]:
    return {
        "event": "meeting.ended",
        "event_ts": int(now * 1000),
        "payload": {
            "account_id": account_id,
            "object": {
                "id": str(instance.meeting_id),
                "uuid": instance.uuid,
                "host_id": instance.host_id,
                "topic": instance.topic,
                "type": 2,
                "start_time": format_utc(instance.start),
                "timezone": instance.timezone,
                "duration": instance.duration,
                "end_time": format_utc(instance.end),
            },
        },
    }


async def deliver(url: str, secret: str, event: dict[str, Any]) -> dict[str, Any]:
    """POST a signed event as Zoom does (`x-zm-signature: v0=HMAC(secret, v0:{ts}:{body})`)."""
    body = json.dumps(event).encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    headers = {
        "content-type": "application/json",
        "x-zm-request-timestamp": timestamp,
        "x-zm-signature": f"v0={digest.hexdigest()}",
    }
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        return {"url": url, "status": None, "error": type(error).__name__}
    return {"url": url, "status": response.status_code, "error": None}
