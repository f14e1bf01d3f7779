from dataclasses import dataclass

from service.domain.reconcile import (
    BookingInZoom,
    Drift,
    DriftKind,
    ListedRegistrant,
    by_email,
    compare_registrants,
)
from service.domain.registrants import RegistrantState
from service.domain.zoom_objects import RegistrantStatus, SyncState

MEETING = 77


@dataclass(frozen=True)
class Stored:
    meeting_id: int | None
    email: str | None
    join_url: str | None = "https://zoom.example/j/1"
    state: str = SyncState.DONE


def listed(email: str, status: RegistrantStatus, rid: str = "r1") -> ListedRegistrant:
    return ListedRegistrant(rid, email, status)


def booking(
    wanted: RegistrantState = RegistrantState.APPROVED,
    stored: Stored | None = None,
    *,
    email: str | None = "ada@example.org",
    busy: bool = False,
) -> BookingInZoom:
    return BookingInZoom("b1", wanted, email, stored, busy)


def test_an_approved_registrant_matching_a_confirmed_booking_is_no_drift() -> None:
    zoom = by_email(
        {RegistrantStatus.APPROVED: [listed("Ada@Example.org", RegistrantStatus.APPROVED)]}
    )
    result = compare_registrants(
        MEETING, [booking(stored=Stored(MEETING, "ada@example.org"))], zoom, set()
    )
    assert result.repairs == []
    assert result.unexplained == []


def test_a_missing_registrant_is_a_readd_and_keeps_no_join_url() -> None:
    result = compare_registrants(
        MEETING, [booking(stored=Stored(MEETING, "ada@example.org"))], {}, set()
    )
    [repair] = result.repairs
    assert repair.kind is DriftKind.MISSING_REGISTRANT
    assert repair.readd
    assert repair.join_url is None


def test_a_registrant_not_approved_is_repaired_without_a_readd() -> None:
    zoom = by_email({RegistrantStatus.DENIED: [listed("ada@example.org", RegistrantStatus.DENIED)]})
    result = compare_registrants(
        MEETING, [booking(stored=Stored(MEETING, "ada@example.org"))], zoom, set()
    )
    [repair] = result.repairs
    assert repair.kind is DriftKind.REGISTRANT_NOT_APPROVED
    assert not repair.readd
    assert repair.join_url == "https://zoom.example/j/1"


def test_a_cancelled_booking_still_approved_is_repaired() -> None:
    zoom = by_email(
        {RegistrantStatus.APPROVED: [listed("ada@example.org", RegistrantStatus.APPROVED)]}
    )
    result = compare_registrants(MEETING, [booking(RegistrantState.CANCELLED)], zoom, set())
    [repair] = result.repairs
    assert repair.kind is DriftKind.CANCELLED_STILL_APPROVED
    assert not repair.on_meeting
    assert repair.join_url is None


def test_bookings_with_work_in_flight_or_failed_or_never_registered_are_left_alone() -> None:
    stored = Stored(MEETING, "ada@example.org")
    checks = [
        booking(stored=stored, busy=True),
        booking(stored=Stored(MEETING, "ada@example.org", state=SyncState.IN_FLIGHT)),
        booking(stored=Stored(MEETING, "ada@example.org", state=SyncState.FAILED)),
        booking(stored=None),
        booking(stored=Stored(MEETING + 1, "ada@example.org")),
    ]
    assert compare_registrants(MEETING, checks, {}, set()).repairs == []


def test_unexplained_registrants_are_reported_except_denied_ones() -> None:
    zoom = by_email(
        {
            RegistrantStatus.APPROVED: [
                listed("guest@example.org", RegistrantStatus.APPROVED, "g")
            ],
            RegistrantStatus.PENDING: [listed("mapped@example.org", RegistrantStatus.PENDING, "m")],
            RegistrantStatus.DENIED: [listed("gone@example.org", RegistrantStatus.DENIED, "d")],
        }
    )
    result = compare_registrants(MEETING, [], zoom, {"mapped@example.org"})
    assert [r.id for r in result.unexplained] == ["g"]


def test_an_approved_listing_wins_over_a_denied_one_for_the_same_email() -> None:
    zoom = by_email(
        {
            RegistrantStatus.DENIED: [listed("ada@example.org", RegistrantStatus.DENIED, "old")],
            RegistrantStatus.APPROVED: [
                listed("ADA@example.org", RegistrantStatus.APPROVED, "new")
            ],
        }
    )
    assert zoom["ada@example.org"].id == "new"


def test_drift_counts_and_reports_each_entry() -> None:
    drift = Drift()
    drift.add(DriftKind.MISSING_REGISTRANT, booking_id="b1")
    drift.add(DriftKind.MISSING_REGISTRANT, booking_id="b2")
    assert drift.counts == {"missing_registrant": 2}
    assert drift.report[1] == {"kind": "missing_registrant", "booking_id": "b2"}
