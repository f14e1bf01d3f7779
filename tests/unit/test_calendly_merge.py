"""The Calendly merge converges whatever the order and repetition of deliveries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.calendly import (
    AttendeeState,
    CalendlyStatus,
    Cancellation,
    InviteeSnapshot,
    Location,
    NoShow,
    RescheduleLink,
    ScheduledEventSnapshot,
    apply_no_show,
    apply_reschedule_link,
    invitee_from_payload,
    mark_attendance,
    merge_event,
    merge_invitee,
    reschedule_links,
)

FIXTURES = Path(__file__).parent / "fixtures" / "calendly"
T0 = datetime(2026, 5, 2, 10, 0, tzinfo=UTC)
ACTIVE, CANCELED = CalendlyStatus.ACTIVE, CalendlyStatus.CANCELED


def payload_of(name: str) -> InviteeSnapshot:
    return invitee_from_payload(json.loads((FIXTURES / f"{name}.json").read_text())["payload"])


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def invitee_uri(key: str) -> str:
    return f"https://api.calendly.com/scheduled_events/E-{key}/invitees/{key}"


def snapshot(key: str = "A", **changes: object) -> InviteeSnapshot:
    """A reading of the invitee `key`; `changes` override its fields."""
    base = InviteeSnapshot(
        uri=invitee_uri(key),
        event_uri=f"https://api.calendly.com/scheduled_events/E-{key}",
        name="Max Mustermann",
        email="max@example.com",
        status=ACTIVE,
        cancellation=None,
        rescheduled=False,
        old_invitee=None,
        new_invitee=None,
        no_show=None,
        created_at=at(0),
        updated_at=at(0),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


HOST_CANCEL = Cancellation("Host Name", "ill", "host", at(5))


@dataclass
class Store:
    """The repository side of the handler recipe in `calendly_merge`'s docstring."""

    rows: dict[str, AttendeeState] = field(default_factory=dict)

    def receive(self, incoming: InviteeSnapshot) -> AttendeeState:
        state = merge_invitee(self.rows.get(incoming.uri), incoming)
        self.rows[state.uri] = state
        self._link(state.uri)
        return self.rows[state.uri]

    def receive_no_show(self, incoming: InviteeSnapshot, created: bool, when: datetime) -> None:
        state = self.receive(incoming)
        self.rows[state.uri] = apply_no_show(state, created=created, at=when)

    def _link(self, uri: str) -> None:
        for link in reschedule_links(self.rows[uri]):
            for other in (link.old_uri, link.new_uri):
                if other in self.rows:
                    self.rows[other] = apply_reschedule_link(self.rows[other], link)
        for other_state in list(self.rows.values()):
            for link in reschedule_links(other_state):
                if uri in (link.old_uri, link.new_uri):
                    self.rows[uri] = apply_reschedule_link(self.rows[uri], link)


# --- single rules -------------------------------------------------------------------------------


def test_cancel_arriving_before_its_create_stays_cancelled() -> None:
    cancel = snapshot(status=CANCELED, cancellation=HOST_CANCEL, updated_at=at(5))

    state = merge_invitee(merge_invitee(None, cancel), snapshot())

    assert state.status is CANCELED
    assert state.cancellation == HOST_CANCEL
    assert state.updated_at == at(5)


def test_stale_active_reading_never_reactivates_even_if_newer() -> None:
    cancel = snapshot(status=CANCELED, updated_at=at(5))

    assert merge_invitee(merge_invitee(None, cancel), snapshot(updated_at=at(9))).status is CANCELED


def test_older_update_never_overwrites_a_newer_one() -> None:
    newer = snapshot(name="Max M.", updated_at=at(5))
    older = snapshot(name="Max", updated_at=at(1))

    assert merge_invitee(merge_invitee(None, newer), older).name == "Max M."
    assert merge_invitee(merge_invitee(None, older), newer).name == "Max M."


def test_equal_updated_at_is_settled_the_same_way_in_both_orders() -> None:
    one, two = snapshot(email="a@example.com"), snapshot(email="b@example.com")

    assert merge_invitee(merge_invitee(None, one), two) == merge_invitee(
        merge_invitee(None, two), one
    )


def test_admin_fields_are_never_touched_by_a_calendly_merge() -> None:
    stored = replace(
        merge_invitee(None, snapshot()),
        attended=True,
        attendance_marked_at=at(30),
        user_id=123,
        prognosis_class_count=2,
        prognosis_start="Q1 2027",
        notes="keen",
    )

    merged = merge_invitee(stored, snapshot(status=CANCELED, name="Other", updated_at=at(60)))

    assert (merged.attended, merged.attendance_marked_at, merged.user_id) == (True, at(30), 123)
    assert (merged.prognosis_class_count, merged.prognosis_start, merged.notes) == (
        2,
        "Q1 2027",
        "keen",
    )


def test_merging_another_uri_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="different Calendly URIs"):
        merge_invitee(merge_invitee(None, snapshot("A")), snapshot("B"))


# --- reschedules --------------------------------------------------------------------------------

OLD = "https://api.calendly.com/scheduled_events/OLD_EVENT/invitees/OLD_INVITEE"
NEW = "https://api.calendly.com/scheduled_events/NEW_EVENT/invitees/NEW_INVITEE"


@pytest.mark.parametrize("cancel_first", [True, False])
def test_reschedule_links_both_sides_in_either_order(cancel_first: bool) -> None:
    old_canceled = payload_of("reschedule_old_invitee_canceled")
    new_created = payload_of("reschedule_new_invitee_created")
    store = Store()
    booked = replace(old_canceled, status=ACTIVE, rescheduled=False, new_invitee=None)
    store.receive(replace(booked, cancellation=None, updated_at=booked.created_at))

    for delivery in [old_canceled, new_created] if cancel_first else [new_created, old_canceled]:
        store.receive(delivery)

    assert store.rows[OLD].status is CANCELED
    assert store.rows[OLD].rescheduled_to == NEW
    assert store.rows[NEW].status is ACTIVE
    assert store.rows[NEW].rescheduled_from == OLD


def test_new_invitee_alone_cancels_the_stored_old_one() -> None:
    store = Store()
    store.receive(snapshot("OLD"))

    store.receive(snapshot("NEW", old_invitee=invitee_uri("OLD"), updated_at=at(3)))

    old = store.rows[invitee_uri("OLD")]
    assert (old.status, old.rescheduled_to) == (CANCELED, invitee_uri("NEW"))
    assert old.cancellation is None  # known only once the old invitee's own cancel arrives


def test_old_invitee_alone_links_the_new_one_arriving_later() -> None:
    store = Store()
    store.receive(
        snapshot("OLD", status=CANCELED, rescheduled=True, new_invitee=invitee_uri("NEW"))
    )

    store.receive(snapshot("NEW"))

    assert store.rows[invitee_uri("NEW")].rescheduled_from == invitee_uri("OLD")


def test_links_are_hints_for_the_other_side() -> None:
    state = merge_invitee(None, snapshot("B", old_invitee=invitee_uri("A"), new_invitee=None))

    assert reschedule_links(state) == (RescheduleLink(invitee_uri("A"), invitee_uri("B")),)
    unrelated = merge_invitee(None, snapshot("C"))
    assert apply_reschedule_link(unrelated, reschedule_links(state)[0]) == unrelated


# --- no-shows -----------------------------------------------------------------------------------


def test_no_show_created_then_deleted_ends_pending_in_either_order() -> None:
    state = merge_invitee(None, snapshot())
    marked = apply_no_show(state, created=True, at=at(60))
    cleared = apply_no_show(marked, created=False, at=at(70))
    late_mark = apply_no_show(apply_no_show(state, created=False, at=at(70)), True, at(60))

    assert (marked.attended, cleared.attended, late_mark.attended) == (False, None, None)


def test_stale_no_show_does_not_undo_a_newer_admin_mark() -> None:
    state = mark_attendance(merge_invitee(None, snapshot()), attended=True, at=at(90))

    assert apply_no_show(state, created=True, at=at(60)).attended is True
    assert apply_no_show(state, created=True, at=at(95)).attended is False


def test_attendance_decisions_at_the_same_instant_settle_the_same_way() -> None:
    state = merge_invitee(None, snapshot())

    one = apply_no_show(mark_attendance(state, True, at(60)), created=True, at=at(60))
    two = mark_attendance(apply_no_show(state, created=True, at=at(60)), True, at(60))

    assert one == two
    assert one.attended is True


# --- order independence (hypothesis) ------------------------------------------------------------

times = st.integers(min_value=0, max_value=4).map(at)
optional_text = st.none() | st.sampled_from(["", "x", "y"])
cancellations = st.none() | st.builds(
    Cancellation,
    canceled_by=optional_text,
    reason=optional_text,
    canceler_type=st.none() | st.sampled_from(["host", "invitee"]),
    created_at=st.none() | times,
)
links = st.none() | st.sampled_from([invitee_uri("P"), invitee_uri("Q")])
any_invitee_snapshot = st.builds(
    InviteeSnapshot,
    uri=st.just(invitee_uri("A")),
    event_uri=st.sampled_from(["https://e/1", "https://e/2"]),
    name=st.sampled_from(["Max", "Max M."]),
    email=st.sampled_from(["a@example.com", "b@example.com"]),
    status=st.sampled_from(CalendlyStatus),
    cancellation=cancellations,
    rescheduled=st.booleans(),
    old_invitee=links,
    new_invitee=links,
    no_show=st.none(),
    created_at=times,
    updated_at=times,
)


T = TypeVar("T")


def shuffled_with_duplicates(data: st.DataObject, items: list[T]) -> list[T]:
    repeats = data.draw(st.lists(st.sampled_from(items), max_size=4), label="duplicates")
    return data.draw(st.permutations(items + repeats), label="delivery order")


@given(st.lists(any_invitee_snapshot, min_size=1, max_size=6), st.data())
def test_any_invitee_readings_converge_in_any_order(
    snapshots: list[InviteeSnapshot], data: st.DataObject
) -> None:
    def fold(order: list[InviteeSnapshot]) -> AttendeeState:
        state: AttendeeState | None = None
        for incoming in order:
            state = merge_invitee(state, incoming)
        assert state is not None
        return state

    final = fold(snapshots)

    assert fold(shuffled_with_duplicates(data, snapshots)) == final
    assert final.status is (CANCELED if any(s.status is CANCELED for s in snapshots) else ACTIVE)
    assert final.updated_at == max(s.updated_at for s in snapshots)


@dataclass(frozen=True)
class NoShowDelivery:
    invitee: InviteeSnapshot
    created: bool
    at: datetime


@st.composite
def booking_histories(draw: st.DrawFn) -> list[InviteeSnapshot | NoShowDelivery]:
    """Everything Calendly (webhooks and REST) may say about a few reschedule chains.

    Each chain books invitee 0, reschedules it to 1, 1 to 2, ...; the last one may be cancelled
    for real. Readings of each step and no-show toggles are drawn; then only a random part of
    them is delivered (deliveries get lost too).
    """
    deliveries: list[InviteeSnapshot | NoShowDelivery] = []
    for chain in range(draw(st.integers(1, 2))):
        names = [f"C{chain}I{step}" for step in range(draw(st.integers(1, 3)))]
        for step, name in enumerate(names):
            previous = invitee_uri(names[step - 1]) if step else None
            following = invitee_uri(names[step + 1]) if step + 1 < len(names) else None
            booked = snapshot(name, old_invitee=previous, created_at=at(step), updated_at=at(step))
            deliveries.append(booked)
            if following is not None or draw(st.booleans()):
                deliveries.append(
                    replace(
                        booked,
                        status=CANCELED,
                        rescheduled=following is not None,
                        new_invitee=following,
                        cancellation=Cancellation("Max", None, "invitee", at(step + 1)),
                        updated_at=at(step + 1),
                    )
                )
            for toggle in draw(st.lists(st.tuples(st.booleans(), times), max_size=3)):
                no_show = NoShow(
                    uri=f"https://api.calendly.com/invitee_no_shows/{name}", created_at=toggle[1]
                )
                deliveries.append(
                    NoShowDelivery(replace(booked, no_show=no_show), toggle[0], toggle[1])
                )
    kept = [d for d in deliveries if draw(st.booleans())]
    return kept or deliveries[:1]


def deliver(order: list[InviteeSnapshot | NoShowDelivery]) -> dict[str, AttendeeState]:
    store = Store()
    for delivery in order:
        if isinstance(delivery, NoShowDelivery):
            store.receive_no_show(delivery.invitee, delivery.created, delivery.at)
        else:
            store.receive(delivery)
    return store.rows


def uri_of(delivery: InviteeSnapshot | NoShowDelivery) -> str:
    return delivery.invitee.uri if isinstance(delivery, NoShowDelivery) else delivery.uri


@given(booking_histories(), st.data())
def test_bookings_reschedules_and_no_shows_converge_in_any_order(
    history: list[InviteeSnapshot | NoShowDelivery], data: st.DataObject
) -> None:
    final = deliver(history)

    assert deliver(shuffled_with_duplicates(data, history)) == final
    for delivery in history:
        invitee = delivery.invitee if isinstance(delivery, NoShowDelivery) else delivery
        if invitee.status is CANCELED:
            assert final[invitee.uri].status is CANCELED
        if invitee.old_invitee in final:  # both sides of a reschedule were seen
            old = final[invitee.old_invitee]
            assert (old.status, old.rescheduled_to) == (CANCELED, invitee.uri)
            assert final[invitee.uri].rescheduled_from == invitee.old_invitee


@given(booking_histories())
def test_no_show_toggles_end_with_the_latest_decision(
    history: list[InviteeSnapshot | NoShowDelivery],
) -> None:
    final = deliver(history)

    for uri, state in final.items():
        toggles = [d for d in history if isinstance(d, NoShowDelivery) and uri_of(d) == uri]
        if toggles:
            latest = max(toggles, key=lambda d: (d.at, d.created))
            assert state.attended is (False if latest.created else None)
        else:
            assert state.attended is None


# --- scheduled events ---------------------------------------------------------------------------

EVENT_URI = "https://api.calendly.com/scheduled_events/E1"


def event(**changes: object) -> ScheduledEventSnapshot:
    base = ScheduledEventSnapshot(
        uri=EVENT_URI,
        name="TLr - Infowebinar",
        status=ACTIVE,
        start_time=at(60 * 24),
        end_time=at(60 * 25),
        event_type="https://api.calendly.com/event_types/ET",
        location=Location("google_conference"),
        cancellation=None,
        updated_at=at(0),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_event_reading_with_the_join_url_wins_a_tie() -> None:
    pushed = event(location=Location("google_conference", join_url="https://meet/x"))

    assert merge_event(merge_event(None, pushed), event()) == pushed
    assert merge_event(merge_event(None, event()), pushed) == pushed


def test_cancelled_event_stays_cancelled_and_newer_fields_still_apply() -> None:
    cancelled = event(status=CANCELED, cancellation=HOST_CANCEL, updated_at=at(5))
    moved = event(start_time=at(60 * 48), end_time=at(60 * 49), updated_at=at(9))

    merged = merge_event(merge_event(None, cancelled), moved)

    assert (merged.status, merged.cancellation, merged.start_time) == (
        CANCELED,
        HOST_CANCEL,
        at(60 * 48),
    )


def test_merging_another_event_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="different Calendly URIs"):
        merge_event(event(), event(uri="https://api.calendly.com/scheduled_events/E2"))


locations = st.none() | st.builds(
    Location,
    kind=st.sampled_from(["google_conference", "zoom", "custom"]),
    join_url=st.none() | st.sampled_from(["https://a", "https://b"]),
    address=optional_text,
    text=optional_text,
)
any_event_snapshot = st.builds(
    ScheduledEventSnapshot,
    uri=st.just(EVENT_URI),
    name=st.sampled_from(["Infowebinar", "Info-Webinar"]),
    status=st.sampled_from(CalendlyStatus),
    start_time=times,
    end_time=times.map(lambda t: t + timedelta(hours=1)),
    event_type=st.sampled_from(["https://et/1", "https://et/2"]),
    location=locations,
    cancellation=cancellations,
    updated_at=times,
)


@given(st.lists(any_event_snapshot, min_size=1, max_size=6), st.data())
def test_any_event_readings_converge_in_any_order(
    snapshots: list[ScheduledEventSnapshot], data: st.DataObject
) -> None:
    def fold(order: list[ScheduledEventSnapshot]) -> ScheduledEventSnapshot:
        state: ScheduledEventSnapshot | None = None
        for incoming in order:
            state = merge_event(state, incoming)
        assert state is not None
        return state

    assert fold(shuffled_with_duplicates(data, snapshots)) == fold(snapshots)
