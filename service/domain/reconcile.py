"""Reconciliation decisions: what one course's registrants in Zoom say about drift, and the
bookkeeping words of a run (docs/architecture.md: "Zoom drift is repaired, never deleted")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from service.domain.registrants import RegistrantState
from service.domain.zoom_objects import RegistrantStatus, SyncState


class RunKind(StrEnum):
    CALENDLY = "calendly"
    ZOOM = "zoom"


class RunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class DriftKind(StrEnum):
    SUBSCRIPTION_REPAIRED = "subscription_repaired"
    NEW_EVENTS = "new_events"
    UPDATED_EVENTS = "updated_events"
    MISSING_REGISTRANT = "missing_registrant"
    REGISTRANT_NOT_APPROVED = "registrant_not_approved"
    CANCELLED_STILL_APPROVED = "cancelled_still_approved"
    READD_POSTPONED = "readd_postponed"
    UNEXPLAINED_REGISTRANT = "unexplained_registrant"
    MEETING_MISSING = "meeting_missing"
    COURSE_FAILED = "course_failed"


@dataclass
class Drift:
    """What one run found: counts per kind and one report entry per drifted object."""

    counts: Counter[str] = field(default_factory=Counter)
    report: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: DriftKind, **entry: Any) -> None:
        self.counts[kind] += 1
        self.report.append({"kind": str(kind), **entry})


@dataclass(frozen=True)
class ListedRegistrant:
    """A registrant as Zoom lists it."""

    id: str
    email: str
    status: RegistrantStatus  # approved | pending | denied


class StoredRegistrant(Protocol):
    """Our record of a booking's registrant (`registrant_repo.RegistrantRow` fits)."""

    @property
    def meeting_id(self) -> int | None: ...

    @property
    def email(self) -> str | None: ...

    @property
    def join_url(self) -> str | None: ...

    @property
    def state(self) -> str: ...


@dataclass(frozen=True)
class BookingInZoom:
    """One booking as the comparison needs it: what Zoom should hold, what we recorded."""

    booking_id: str
    wanted: RegistrantState
    email: str | None  # the address Zoom takes for the booking; None when it takes none
    stored: StoredRegistrant | None
    busy: bool  # a command for the booking is waiting or running: its outcome is not known


@dataclass(frozen=True)
class Repair:
    """Our view of Zoom is wrong for one booking: record Zoom as it is, so the course decision
    queues the registrant command. `readd`: Zoom holds nothing, so the repair adds the
    registrant again, which Zoom allows 3 times a day — the reconciler claims one a day."""

    kind: DriftKind
    booking_id: str
    email: str
    found: ListedRegistrant | None
    on_meeting: bool  # our record is about this meeting (else: a new record is needed)
    join_url: str | None  # the join URL our record keeps

    @property
    def readd(self) -> bool:
        return self.found is None


@dataclass(frozen=True)
class Comparison:
    repairs: list[Repair]
    unexplained: list[ListedRegistrant]  # reported, never deleted (a host may invite a guest)


def by_email(
    listed: Mapping[RegistrantStatus, Sequence[ListedRegistrant]],
) -> dict[str, ListedRegistrant]:
    """By case-folded email; an approved registrant wins over a pending or denied one."""
    found: dict[str, ListedRegistrant] = {}
    for status in (RegistrantStatus.DENIED, RegistrantStatus.PENDING, RegistrantStatus.APPROVED):
        for registrant in listed.get(status, ()):
            found[registrant.email.casefold()] = registrant
    return found


def compare_registrants(
    meeting_id: int,
    bookings: Sequence[BookingInZoom],
    in_zoom: Mapping[str, ListedRegistrant],
    explained: set[str],
) -> Comparison:
    """Bookings against the meeting's registrants (`in_zoom` by case-folded email).

    A confirmed booking whose registrant is missing or not approved, and a cancelled booking
    still approved, need a repair — unless work is in flight or failed for it, or it was never
    registered (the course decision adds it anyway). `explained`: case-folded emails other
    sources put on the meeting (a Calendly event-type mapping).
    """
    repairs: list[Repair] = []
    explained = set(explained)
    for booking in bookings:
        row = booking.stored
        on_meeting = row is not None and row.meeting_id == meeting_id
        email = row.email if row is not None and on_meeting and row.email else booking.email
        explained |= {e.casefold() for e in (email, booking.email) if e}
        if booking.busy or (row and row.state in (SyncState.IN_FLIGHT, SyncState.FAILED)):
            continue
        found = in_zoom.get(email.casefold()) if email else None
        if booking.wanted is RegistrantState.APPROVED and booking.email:
            assert email is not None
            if found is not None and found.status is RegistrantStatus.APPROVED:
                continue
            if row is None or not on_meeting:
                continue
            kind = (
                DriftKind.MISSING_REGISTRANT if found is None else DriftKind.REGISTRANT_NOT_APPROVED
            )
            join_url = row.join_url if found else None
            repairs.append(Repair(kind, booking.booking_id, email, found, on_meeting, join_url))
        elif (
            booking.wanted is RegistrantState.CANCELLED
            and found is not None
            and found.status is RegistrantStatus.APPROVED
        ):
            assert email is not None
            join_url = row.join_url if row is not None and on_meeting else None
            repairs.append(
                Repair(
                    DriftKind.CANCELLED_STILL_APPROVED,
                    booking.booking_id,
                    email,
                    found,
                    on_meeting,
                    join_url,
                )
            )
    unexplained = [
        registrant
        for key, registrant in sorted(in_zoom.items())
        if key not in explained and registrant.status is not RegistrantStatus.DENIED
    ]
    return Comparison(repairs, unexplained)
