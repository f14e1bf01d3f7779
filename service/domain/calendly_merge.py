"""Order-independent merge of Calendly snapshots into what we store.

Calendly delivers webhooks at least once and in no order (a reschedule's `invitee.canceled` may
arrive before the `invitee.created` it points to), retries for 24 h, and the nightly REST sync reads
the same invitees again at any moment (calendly-facts §3, §5). So the stored state must not depend
on arrival order. Each merge here is a *join*: commutative, associative and idempotent, so any
permutation of any multiset of snapshots ends in the same state. The state is a product of small
parts, and each part is joined on its own:

- **descriptive fields** (name, email, event, times): last writer wins on Calendly's `updated_at`;
  equal `updated_at` with different content is broken by comparing the content itself, so the
  result never depends on which copy came first;
- **status**: `canceled` absorbs `active`, because in Calendly a cancelled invitee is never
  reactivated (a reschedule creates a new invitee URI instead, §4.3), and a scheduled event is
  never un-cancelled; an out-of-order or stale `active` reading can therefore be ignored;
- **cancellation** details and **reschedule links**: set once by Calendly; the later / larger
  value wins if two readings ever disagree, which keeps the join deterministic.

Admin-owned fields (`attended`, `user_id`, prognoses, notes) are carried over untouched; only the
attendance register (`service.domain.attendee.mark_attendance`, also used by `apply_no_show`)
changes `attended`.

How a handler applies an invitee snapshot (a repository does the reads and writes):

1. `state = merge_invitee(stored, snapshot)` and store it;
2. for each `link in reschedule_links(state)`: the other end, if stored, becomes
   `apply_reschedule_link(other, link)`;
3. for each stored attendee whose `reschedule_links` name `state.uri`: store
   `apply_reschedule_link(state, link)`.

Steps 2 and 3 make reschedules converge whichever side arrives first, and also when only one side
is ever delivered: the new invitee alone cancels the stored old one (a reschedule always cancels
the old invitee in Calendly), the old one alone links the stored new one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from service.domain.attendee import AttendeeState, mark_attendance
from service.domain.calendly_payloads import (
    CalendlyStatus,
    Cancellation,
    InviteeSnapshot,
    Location,
    ScheduledEventSnapshot,
)

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RescheduleLink:
    """`old_uri` was rescheduled to `new_uri`: old ends cancelled, both point at each other."""

    old_uri: str
    new_uri: str


def merge_invitee(stored: AttendeeState | None, incoming: InviteeSnapshot) -> AttendeeState:
    """Join one invitee reading into the stored attendee (see the module docstring for why)."""
    if stored is None:
        return AttendeeState(
            uri=incoming.uri,
            event_uri=incoming.event_uri,
            name=incoming.name,
            email=incoming.email,
            status=incoming.status,
            cancellation=incoming.cancellation,
            rescheduled_from=incoming.old_invitee,
            rescheduled_to=incoming.new_invitee,
            created_at=incoming.created_at,
            updated_at=incoming.updated_at,
        )
    _require_same_uri(stored.uri, incoming.uri)
    newer = _invitee_version(incoming) > _invitee_version(stored)
    described_by: AttendeeState | InviteeSnapshot = incoming if newer else stored
    return replace(
        stored,
        event_uri=described_by.event_uri,
        name=described_by.name,
        email=described_by.email,
        created_at=described_by.created_at,
        updated_at=described_by.updated_at,
        status=_join_status(stored.status, incoming.status),
        cancellation=_join_cancellation(stored.cancellation, incoming.cancellation),
        rescheduled_from=_join_link(stored.rescheduled_from, incoming.old_invitee),
        rescheduled_to=_join_link(stored.rescheduled_to, incoming.new_invitee),
    )


def reschedule_links(state: AttendeeState) -> tuple[RescheduleLink, ...]:
    """The reschedules this attendee knows of, as hints for the attendee on the other side."""
    links = []
    if state.rescheduled_from is not None:
        links.append(RescheduleLink(old_uri=state.rescheduled_from, new_uri=state.uri))
    if state.rescheduled_to is not None:
        links.append(RescheduleLink(old_uri=state.uri, new_uri=state.rescheduled_to))
    return tuple(links)


def apply_reschedule_link(state: AttendeeState, link: RescheduleLink) -> AttendeeState:
    """Apply what the other side of a reschedule tells about this attendee.

    The old invitee becomes cancelled even before its own `invitee.canceled` arrives: Calendly
    cancels the old invitee of every reschedule, and cancelled is terminal, so this can only
    anticipate, never contradict, a later reading. Cancellation details stay unknown until then.
    """
    if state.uri == link.old_uri:
        return replace(
            state,
            status=CalendlyStatus.CANCELED,
            rescheduled_to=_join_link(state.rescheduled_to, link.new_uri),
        )
    if state.uri == link.new_uri:
        return replace(state, rescheduled_from=_join_link(state.rescheduled_from, link.old_uri))
    return state


def apply_no_show(state: AttendeeState, created: bool, at: datetime) -> AttendeeState:
    """`invitee_no_show.created` → not attended; `.deleted` → pending again (CONTRACT §3.1).

    `at` is the webhook envelope's `created_at`: a no-show can be set and removed repeatedly
    (hence its dedupe key includes `created_at`, calendly-facts §3) and deliveries are unordered,
    so the latest decision must win, also against an admin's mark made in between. The REST
    sync sees no toggles, only a present `InviteeSnapshot.no_show`; it can apply that as
    `created=True` at `no_show.created_at`, which agrees with the webhook it stands for.
    """
    return mark_attendance(state, attended=False if created else None, at=at)


def merge_event(
    stored: ScheduledEventSnapshot | None, incoming: ScheduledEventSnapshot
) -> ScheduledEventSnapshot:
    """Join one reading of a scheduled event into the stored one.

    Webhooks embed a copy of the event as it was at the invitee change, the REST sync reads it
    later; the newest `updated_at` describes it. On a tie the reading with a conference
    `join_url` wins: Calendly fills the link in after `initiated`/`processing` (§5.4) and no
    webhook announces that, so the reading that has it knows more.
    """
    if stored is None:
        return incoming
    _require_same_uri(stored.uri, incoming.uri)
    newer = incoming if _event_version(incoming) > _event_version(stored) else stored
    return replace(
        newer,
        status=_join_status(stored.status, incoming.status),
        cancellation=_join_cancellation(stored.cancellation, incoming.cancellation),
    )


def _require_same_uri(stored: str, incoming: str) -> None:
    if stored != incoming:
        raise ValueError(f"cannot merge {incoming} into {stored}: different Calendly URIs")


def _invitee_version(
    invitee: AttendeeState | InviteeSnapshot,
) -> tuple[datetime, datetime, str, str, str]:
    return (invitee.updated_at, invitee.created_at, invitee.event_uri, invitee.name, invitee.email)


def _event_version(
    event: ScheduledEventSnapshot,
) -> tuple[
    datetime,
    bool,
    str,
    datetime,
    datetime,
    str,
    tuple[bool, str, tuple[bool, str], tuple[bool, str], tuple[bool, str]],
]:
    location = event.location
    return (
        event.updated_at,
        location is not None and location.join_url is not None,
        event.name,
        event.start_time,
        event.end_time,
        event.event_type,
        _location_order(location),
    )


def _location_order(
    location: Location | None,
) -> tuple[bool, str, tuple[bool, str], tuple[bool, str], tuple[bool, str]]:
    if location is None:
        return (False, "", (False, ""), (False, ""), (False, ""))
    return (
        True,
        location.kind,
        _optional_order(location.join_url),
        _optional_order(location.address),
        _optional_order(location.text),
    )


def _join_status(a: CalendlyStatus, b: CalendlyStatus) -> CalendlyStatus:
    canceled = CalendlyStatus.CANCELED
    return canceled if canceled in (a, b) else CalendlyStatus.ACTIVE


def _join_cancellation(a: Cancellation | None, b: Cancellation | None) -> Cancellation | None:
    if a is None or b is None:
        return a or b
    return max(a, b, key=_cancellation_order)


def _cancellation_order(
    c: Cancellation,
) -> tuple[bool, datetime, tuple[bool, str], tuple[bool, str], tuple[bool, str]]:
    return (
        c.created_at is not None,
        c.created_at or _NEVER,
        _optional_order(c.canceler_type),
        _optional_order(c.reason),
        _optional_order(c.canceled_by),
    )


def _join_link(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def _optional_order(value: str | None) -> tuple[bool, str]:
    """Orders `None` below every string, including the empty one."""
    return (value is not None, value or "")
