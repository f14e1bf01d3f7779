"""Calendly webhooks: the envelope, which events we handle, and how deliveries are deduplicated.

This module is the entry point of the Calendly domain; it re-exports the snapshots
(`calendly_payloads`) and the order-independent merge (`calendly_merge`) so callers import one
name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.domain.attendee import AttendeeState, mark_attendance
from service.domain.calendly_merge import (
    RescheduleLink,
    apply_no_show,
    apply_reschedule_link,
    merge_event,
    merge_invitee,
    reschedule_links,
)
from service.domain.calendly_payloads import (
    CalendlyStatus,
    Cancellation,
    InviteeSnapshot,
    JsonObject,
    Location,
    MalformedPayload,
    NoShow,
    ScheduledEventSnapshot,
    invitee_from_payload,
    invitee_from_rest,
    parse_utc,
    scheduled_event_from_payload,
    scheduled_event_from_rest,
)

__all__ = [
    "HANDLED_EVENTS",
    "AttendeeState",
    "CalendlyStatus",
    "CalendlyWebhook",
    "Cancellation",
    "InviteeSnapshot",
    "Location",
    "MalformedPayload",
    "MalformedWebhook",
    "NoShow",
    "RescheduleLink",
    "ScheduledEventSnapshot",
    "apply_no_show",
    "apply_reschedule_link",
    "dedupe_key",
    "invitee_from_payload",
    "invitee_from_rest",
    "mark_attendance",
    "merge_event",
    "merge_invitee",
    "parse_webhook",
    "reschedule_links",
    "scheduled_event_from_payload",
    "scheduled_event_from_rest",
]

INVITEE_EVENTS = frozenset({"invitee.created", "invitee.canceled"})
NO_SHOW_EVENTS = frozenset({"invitee_no_show.created", "invitee_no_show.deleted"})
# Calendly sends no scheduled_event.* today (calendly-facts §1.2); others may (CONTRACT §3.1).
SCHEDULED_EVENT_EVENTS = frozenset(
    {"scheduled_event.created", "scheduled_event.updated", "scheduled_event.canceled"}
)
HANDLED_EVENTS = INVITEE_EVENTS | NO_SHOW_EVENTS | SCHEDULED_EVENT_EVENTS
"""Everything else is stored and acknowledged as ignored: Calendly disables failing hooks."""

_REPEATABLE_EVENTS = NO_SHOW_EVENTS | SCHEDULED_EVENT_EVENTS


class MalformedWebhook(ValueError):
    """A signed body we cannot take in (answered with HTTP 400); `reason` says what is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CalendlyWebhook:
    """The v2 envelope: `event` name, envelope `created_at` (UTC), and the `payload` object.

    `created_by` is left out: it names the subscription's creator, not the booker (§4.1).
    """

    event: str
    created_at: datetime | None
    payload: JsonObject

    @property
    def handled(self) -> bool:
        return self.event in HANDLED_EVENTS


def parse_webhook(document: Any) -> CalendlyWebhook:
    """Read the envelope of a (signature-checked, parsed) Calendly delivery.

    Raises `MalformedWebhook` when the document is not a JSON object, `event` or `payload` is
    missing, or a handled event lacks what its dedupe key needs (`payload.uri`; for repeatable
    events also `created_at`): such a delivery could not be told apart from its retries.
    """
    if not isinstance(document, dict):
        raise MalformedWebhook("body is not a JSON object")
    event = document.get("event")
    if not isinstance(event, str) or not event:
        raise MalformedWebhook("event is missing or not a string")
    payload = document.get("payload")
    if not isinstance(payload, dict):
        raise MalformedWebhook("payload is missing or not an object")
    created_at = _envelope_time(document.get("created_at"))
    if event in HANDLED_EVENTS and not isinstance(payload.get("uri"), str):
        raise MalformedWebhook(f"{event} without payload.uri")
    if event in _REPEATABLE_EVENTS and created_at is None:
        raise MalformedWebhook(f"{event} without created_at")
    return CalendlyWebhook(event=event, created_at=created_at, payload=payload)


def dedupe_key(webhook: CalendlyWebhook) -> str:
    """The inbox key that makes a redelivery of the same event a duplicate (CONTRACT §3.1).

    `invitee.created` / `.canceled` happen once per invitee URI, so `event + payload.uri` is
    enough, and it stays the same across Calendly's retries. A no-show can be set and removed
    again on the same invitee, and a scheduled event changes many times, so those keys add the
    envelope's `created_at`. Ignored events are keyed the same way, with a digest of the payload
    when it carries no `uri`.
    """
    uri = webhook.payload.get("uri")
    subject = uri if isinstance(uri, str) else _payload_digest(webhook.payload)
    parts = [webhook.event, subject]
    if webhook.event not in INVITEE_EVENTS:
        parts.append(webhook.created_at.isoformat() if webhook.created_at else "")
    return " ".join(parts)


def _envelope_time(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedWebhook("created_at is not a string")
    try:
        return parse_utc(value, "created_at")
    except MalformedPayload as error:
        raise MalformedWebhook(str(error)) from None


def _payload_digest(payload: Mapping[str, object]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
