"""Calendly's `location` variants (facts §5.4), filled with realistic values.

A control request names a `type` and may override any field; conference types default to
`status: "pushed"` with a join URL, and `status` initiated/processing gives `join_url: null`
and `data: null` like Calendly's own examples.
"""

from __future__ import annotations

from typing import Any

from service.sandbox.calendly_state import SandboxError


def _zoom(event_uuid: str) -> dict[str, Any]:
    meeting_id = str(int(event_uuid.replace("-", "")[:10], 16) % 10**11)
    return {
        "join_url": f"https://us02web.zoom.us/j/{meeting_id}",
        "data": {
            "id": meeting_id,
            "settings": {
                "global_dial_in_numbers": [
                    {"number": "+49 69 3807 9883", "country": "DE", "type": "toll"},
                ]
            },
            "extra": {"intl_numbers_url": "https://us02web.zoom.us/u/kbZ1sxR0"},
            "password": "482913",
        },
    }


def _google(event_uuid: str) -> dict[str, Any]:
    return {"join_url": f"https://calendly.com/events/{event_uuid}/google_meet"}


def _teams(event_uuid: str) -> dict[str, Any]:
    return {
        "join_url": f"https://teams.microsoft.com/l/meetup-join/{event_uuid}",
        "data": {
            "id": event_uuid,
            "audioConferencing": {
                "conferenceId": "123456",
                "dialinUrl": "https://dialin.teams.microsoft.com/22f12fa0?id=2425999",
                "tollNumber": "+12525634478",
            },
        },
    }


def _webex(event_uuid: str) -> dict[str, Any]:
    meeting = event_uuid.replace("-", "")
    return {
        "join_url": f"https://example.webex.com/example/j.php?MTID=m{meeting}",
        "data": {
            "id": f"m{meeting}",
            "telephony": {
                "callInNumbers": [
                    {"label": "US Toll", "callInNumber": "14086380986", "tollType": "toll"}
                ]
            },
            "password": "m8BgwrPQb93",
        },
    }


def _gotomeeting(event_uuid: str) -> dict[str, Any]:
    meeting_id = int(event_uuid.replace("-", "")[:8], 16) % 10**9
    return {
        "join_url": f"https://www.gotomeeting.com/join/{meeting_id}",
        "data": {
            "uniqueMeetingId": meeting_id,
            "conferenceCallInfo": "US: +1 (123) 456-789\nAccess Code: 123-456-789",
        },
    }


CONFERENCES = {
    "zoom": _zoom,
    "zoom_conference": _zoom,  # the 2023 spec's enum; its examples say "zoom" (facts §5.4)
    "google_conference": _google,
    "microsoft_teams_conference": _teams,
    "webex_conference": _webex,
    "gotomeeting": _gotomeeting,
}

PLAIN_DEFAULTS: dict[str, dict[str, Any]] = {
    "physical": {"location": "Musterstraße 1, 10115 Berlin", "additional_info": "2nd floor"},
    "custom": {"location": "We will send the link by email"},
    "inbound_call": {"location": "+49 30 1234567"},
    "outbound_call": {"location": "+49 170 1234567"},
    "ask_invitee": {"location": "Invitee's office"},
}

LOCATION_TYPES = (*CONFERENCES, *PLAIN_DEFAULTS)


def build_location(spec: dict[str, Any] | None, event_uuid: str) -> dict[str, Any] | None:
    """Expand `{"type": …, overrides…}` into a full Calendly location; None stays None."""
    if spec is None:
        return None
    kind = spec.get("type")
    if kind in CONFERENCES:
        status = spec.get("status", "pushed")
        if status in ("initiated", "processing"):
            base: dict[str, Any] = {"join_url": None}
            if kind != "google_conference":
                base["data"] = None
        else:
            base = CONFERENCES[kind](event_uuid)
        return {"type": kind, "status": status, **base, **spec}
    if kind in PLAIN_DEFAULTS:
        return {"type": kind, **PLAIN_DEFAULTS[kind], **spec}
    raise SandboxError(400, f"location.type must be one of {', '.join(LOCATION_TYPES)}")
