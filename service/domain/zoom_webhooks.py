"""Zoom webhook events we act on, and how a delivery is told apart from its retries."""

from __future__ import annotations

from typing import Any

# Registration and meeting changes feed the reconciliation of the course they belong to
# (zoom-facts §7); everything else Zoom sends is stored and ignored.
HANDLED_EVENTS = frozenset(
    {
        "meeting.registration_created",
        "meeting.registration_approved",
        "meeting.registration_cancelled",
        "meeting.registration_denied",
        "meeting.updated",
        "meeting.deleted",
    }
)


# `meeting.ended` schedules the attendance import of that instance (CONTRACT §7).
ATTENDANCE_EVENTS = frozenset({"meeting.ended"})


def dedupe_key(document: dict[str, Any]) -> str:
    """event + payload.object.id + event_ts (+ the registrant, for registration events).

    Zoom retries an undelivered event with the same `event_ts`; two different events about
    one meeting in the same millisecond differ in their registrant.
    """
    payload = document.get("payload")
    obj = payload.get("object") if isinstance(payload, dict) else None
    object_id = obj.get("id") if isinstance(obj, dict) else None
    registrant = obj.get("registrant") if isinstance(obj, dict) else None
    registrant_id = registrant.get("id") if isinstance(registrant, dict) else None
    parts = [str(document["event"]), str(object_id), str(document.get("event_ts"))]
    if registrant_id is not None:
        parts.append(str(registrant_id))
    return " ".join(parts)
