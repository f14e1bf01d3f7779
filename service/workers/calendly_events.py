"""Applying Calendly readings — from webhooks and from the REST sync alike — to our store.

One truth for both paths: a webhook and a REST page produce the same snapshots, and
both go through `apply_invitee_reading` / `apply_event_reading`, which merge with what
is stored using the domain's order-independent joins. Locks are taken per Calendly
URI, always in sorted order, so a reschedule's two halves never deadlock each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from service.adapters import calendly_repo, teachers
from service.domain.calendly import (
    CalendlyWebhook,
    InviteeSnapshot,
    MalformedPayload,
    ScheduledEventSnapshot,
    apply_no_show,
    apply_reschedule_link,
    invitee_from_payload,
    merge_event,
    merge_invitee,
    reschedule_links,
    scheduled_event_from_payload,
    scheduled_event_from_rest,
)
from service.domain.calendly_payloads import parse_utc
from service.domain.failure_policy import Terminal
from service.services.calendly_zoom_mapping import on_invitee_changed
from service.services.unit_of_work import UnitOfWork
from service.workers import no_shows


class Change(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class NoShowDecision:
    created: bool
    at: datetime  # when Calendly made the decision: the envelope's created_at


def _change(created: bool, changed: bool) -> Change:
    if created:
        return Change.NEW
    return Change.UPDATED if changed else Change.UNCHANGED


async def lock_uris(unit: UnitOfWork, *uris: str | None) -> None:
    for uri in sorted({u for u in uris if u}):
        await unit.lock(f"calendly:{uri}")


async def apply_event_reading(
    unit: UnitOfWork, snapshot: ScheduledEventSnapshot
) -> tuple[int, Change]:
    """Merge one reading of a scheduled event. The caller holds the event's lock."""
    stored = await calendly_repo.load_event(unit.conn, snapshot.uri)
    merged = merge_event(stored, snapshot)
    if stored is not None and merged == stored:
        event_id = await calendly_repo.event_id_by_uri(unit.conn, snapshot.uri)
        assert event_id is not None
        return event_id, Change.UNCHANGED
    event_id, created = await calendly_repo.save_event(unit.conn, merged)
    return event_id, _change(created, changed=True)


async def apply_invitee_reading(
    unit: UnitOfWork,
    snapshot: InviteeSnapshot,
    event: ScheduledEventSnapshot | None,
    no_show: NoShowDecision | None = None,
) -> Change:
    """Merge one invitee reading (and its event), follow reschedule links, move the pipeline."""
    await lock_uris(
        unit, snapshot.event_uri, snapshot.uri, snapshot.old_invitee, snapshot.new_invitee
    )
    if event is not None:
        event_id, _ = await apply_event_reading(unit, event)
    else:
        found = await calendly_repo.event_id_by_uri(unit.conn, snapshot.event_uri)
        if found is None:
            raise Terminal(
                f"invitee {snapshot.uri} names event {snapshot.event_uri}, which is unknown"
            )
        event_id = found
    stored = await calendly_repo.load_attendee(unit.conn, snapshot.uri)
    state = merge_invitee(stored, snapshot)
    if snapshot.no_show is not None:  # REST readings carry the mark itself
        state = apply_no_show(state, created=True, at=snapshot.no_show.created_at)
    if no_show is not None:
        state = apply_no_show(state, created=no_show.created, at=no_show.at)
    attendance_changed = (stored.attended if stored else None) != state.attended
    marked_by = "calendly:no_show" if attendance_changed else None
    for other in await calendly_repo.attendees_linking_to(unit.conn, state.uri):
        for link in reschedule_links(other):
            state = apply_reschedule_link(state, link)
    attendee_id, created, changed = await calendly_repo.save_attendee(
        unit.conn, state, event_id, marked_by
    )
    if marked_by is not None:
        await calendly_repo.record_attendance_change(
            unit.conn, attendee_id, state.attended, marked_by
        )
    for link in reschedule_links(state):
        other_uri = link.new_uri if link.old_uri == state.uri else link.old_uri
        linked = await calendly_repo.load_attendee(unit.conn, other_uri)
        if linked is not None:
            updated = apply_reschedule_link(linked, link)
            if updated != linked:
                other_event = await calendly_repo.event_id_by_uri(unit.conn, linked.event_uri)
                assert other_event is not None
                other_id, _, _ = await calendly_repo.save_attendee(unit.conn, updated, other_event)
                await _attendee_changed(unit, other_id, "reschedule")
    if changed:
        await _attendee_changed(unit, attendee_id, f"invitee {snapshot.uri}")
    return _change(created, changed)


async def _attendee_changed(unit: UnitOfWork, attendee_id: int, trigger: str) -> None:
    """What follows an attendee's change: its teacher (linked by email if unlinked) moves
    along the pipeline, and a mapped event type's Zoom registrant follows its status."""
    user_id = await unit.conn.fetchval(
        "SELECT user_id FROM calendly_attendees WHERE id = $1", attendee_id
    )
    if user_id is None:
        user_id = await teachers.link_by_email(unit.conn, attendee_id)
    if user_id is not None:
        await teachers.refresh_pipeline(unit.conn, user_id, trigger)
    await on_invitee_changed(unit, attendee_id)


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
    await apply_invitee_reading(unit, snapshot, event)


async def handle_no_show(unit: UnitOfWork, envelope: dict[str, Any]) -> None:
    """invitee_no_show.created → not attended; .deleted → pending again."""
    webhook = _webhook(envelope)
    created = webhook.event.endswith(".created")
    if await no_shows.is_own_no_show_echo(unit.conn, created, webhook.payload):
        return  # our own no-show coming back: nothing changes, nothing is sent
    snapshot, event = _invitee_readings(webhook)
    assert webhook.created_at is not None  # parse_webhook requires it for no-show events
    decision = NoShowDecision(created=created, at=webhook.created_at)
    await apply_invitee_reading(unit, snapshot, event, no_show=decision)
    await no_shows.remember_no_show(unit.conn, snapshot.uri, webhook.payload if created else None)


async def handle_scheduled_event(unit: UnitOfWork, envelope: dict[str, Any]) -> None:
    """scheduled_event.created / .updated / .canceled: the payload is a scheduled event."""
    try:
        snapshot = scheduled_event_from_rest(envelope["payload"])
    except MalformedPayload as error:
        raise Terminal(str(error)) from None
    await lock_uris(unit, snapshot.uri)
    await apply_event_reading(unit, snapshot)
