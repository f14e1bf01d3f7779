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

from service.adapters import calendly_repo
from service.domain.calendly import (
    InviteeSnapshot,
    ScheduledEventSnapshot,
    apply_no_show,
    apply_reschedule_link,
    merge_event,
    merge_invitee,
    reschedule_links,
)
from service.services.calendly_zoom_mapping import on_invitee_changed
from service.services.pipeline import refresh_pipeline
from service.services.unit_of_work import UnitOfWork


class UnknownEvent(Exception):
    """An invitee reading names a scheduled event we have never read."""


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
    await unit.lock(*(f"calendly:{uri}" for uri in sorted({u for u in uris if u})))


async def apply_event_reading(
    unit: UnitOfWork, snapshot: ScheduledEventSnapshot
) -> tuple[int, Change]:
    """Merge one reading of a scheduled event. The caller holds the event's lock."""
    return await _merge_event(
        unit, snapshot, await calendly_repo.load_event(unit.conn, snapshot.uri)
    )


async def _merge_event(
    unit: UnitOfWork,
    snapshot: ScheduledEventSnapshot,
    loaded: tuple[int, ScheduledEventSnapshot] | None,
) -> tuple[int, Change]:
    stored = loaded[1] if loaded else None
    merged = merge_event(stored, snapshot)
    if loaded is not None and merged == stored:
        return loaded[0], Change.UNCHANGED
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
    event_uri = event.uri if event is not None else snapshot.event_uri
    found = await calendly_repo.load_invitee(unit.conn, event_uri, snapshot.uri)
    if event is not None:
        event_id, _ = await _merge_event(unit, event, found.event)
    elif found.event is None:
        raise UnknownEvent(
            f"invitee {snapshot.uri} names event {snapshot.event_uri}, which is unknown"
        )
    else:
        event_id = found.event[0]
    stored = found.attendee
    state = merge_invitee(stored, snapshot)
    if snapshot.no_show is not None:  # REST readings carry the mark itself
        state = apply_no_show(state, created=True, at=snapshot.no_show.created_at)
    if no_show is not None:
        state = apply_no_show(state, created=no_show.created, at=no_show.at)
    attendance_changed = (stored.attended if stored else None) != state.attended
    marked_by = "calendly:no_show" if attendance_changed else None
    for other in found.linking:
        for link in reschedule_links(other):
            state = apply_reschedule_link(state, link)
    saved = await calendly_repo.save_attendee(unit.conn, state, event_id, marked_by)
    if marked_by is not None:
        await calendly_repo.record_attendance_change(unit.conn, saved.id, state.attended, marked_by)
    for link in reschedule_links(state):
        other_uri = link.new_uri if link.old_uri == state.uri else link.old_uri
        linked = await calendly_repo.load_attendee(unit.conn, other_uri)
        if linked is not None:
            updated = apply_reschedule_link(linked, link)
            if updated != linked:
                other_event = await calendly_repo.event_id_by_uri(unit.conn, linked.event_uri)
                assert other_event is not None
                saved_other = await calendly_repo.save_attendee(unit.conn, updated, other_event)
                await _attendee_changed(unit, saved_other, "reschedule")
    if saved.changed:
        await _attendee_changed(unit, saved, f"invitee {snapshot.uri}")
    return _change(saved.created, saved.changed)


async def _attendee_changed(
    unit: UnitOfWork, saved: calendly_repo.SavedAttendee, trigger: str
) -> None:
    """What follows an attendee's change: its teacher (linked by email if unlinked, by the
    save) moves along the pipeline, and a mapped event type's Zoom registrant follows its
    status."""
    if saved.user_id is not None:
        await refresh_pipeline(unit.conn, saved.user_id, trigger)
    await on_invitee_changed(unit, saved.id, new=saved.created)
