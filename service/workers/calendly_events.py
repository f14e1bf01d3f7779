"""Calendly webhooks (invitee, no-show, scheduled event) in the inbox: parsed here, applied by
`service/services/calendly_readings.py`, the same use case the REST sync uses."""

from __future__ import annotations

from typing import Any

from service.domain.calendly import (
    CalendlyWebhook,
    InviteeSnapshot,
    MalformedPayload,
    ScheduledEventSnapshot,
    invitee_from_payload,
    scheduled_event_from_payload,
    scheduled_event_from_rest,
)
from service.domain.calendly_payloads import parse_utc
from service.domain.failure_policy import Terminal
from service.services import no_show_echo
from service.services.calendly_readings import (
    NoShowDecision,
    UnknownEvent,
    apply_event_reading,
    apply_invitee_reading,
    lock_uris,
)
from service.services.unit_of_work import UnitOfWork


def _webhook(envelope: dict[str, Any]) -> CalendlyWebhook:
    created_at = envelope.get("created_at")
    return CalendlyWebhook(
        event=envelope["event"],
        created_at=parse_utc(created_at, "created_at") if isinstance(created_at, str) else None,
        payload=envelope["payload"],
    )


def _invitee_readings(
    webhook: CalendlyWebhook,
) -> tuple[InviteeSnapshot, ScheduledEventSnapshot | None]:
    try:
        return invitee_from_payload(webhook.payload), scheduled_event_from_payload(webhook.payload)
    except MalformedPayload as error:
        raise Terminal(str(error)) from None


async def handle_invitee(unit: UnitOfWork, envelope: dict[str, Any]) -> None:
    """invitee.created / invitee.canceled."""
    snapshot, event = _invitee_readings(_webhook(envelope))
    await _apply(unit, snapshot, event)


async def handle_no_show(unit: UnitOfWork, envelope: dict[str, Any]) -> None:
    """invitee_no_show.created → not attended; .deleted → pending again."""
    webhook = _webhook(envelope)
    created = webhook.event.endswith(".created")
    if await no_show_echo.is_own_no_show_echo(unit.conn, created, webhook.payload):
        return  # our own no-show coming back: nothing changes, nothing is sent
    snapshot, event = _invitee_readings(webhook)
    assert webhook.created_at is not None  # parse_webhook requires it for no-show events
    decision = NoShowDecision(created=created, at=webhook.created_at)
    await _apply(unit, snapshot, event, decision)
    await no_show_echo.remember_no_show(
        unit.conn, snapshot.uri, webhook.payload if created else None
    )


async def _apply(
    unit: UnitOfWork,
    snapshot: InviteeSnapshot,
    event: ScheduledEventSnapshot | None,
    no_show: NoShowDecision | None = None,
) -> None:
    try:
        await apply_invitee_reading(unit, snapshot, event, no_show)
    except UnknownEvent as error:
        raise Terminal(str(error)) from None


async def handle_scheduled_event(unit: UnitOfWork, envelope: dict[str, Any]) -> None:
    """scheduled_event.created / .updated / .canceled: the payload is a scheduled event."""
    try:
        snapshot = scheduled_event_from_rest(envelope["payload"])
    except MalformedPayload as error:
        raise Terminal(str(error)) from None
    await lock_uris(unit, snapshot.uri)
    await apply_event_reading(unit, snapshot)
