"""Matching Zoom participants to registrations and the attendance rule (CONTRACT §7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from service.domain.zoom_attendance import (
    AttendanceSource,
    ParticipantRow,
    Registered,
    attended,
    comparable_email,
    match_instance,
    occurrence_for,
    parse_participant,
    session_seconds,
    union_seconds,
    unknown_meeting_wait,
    zoom_mark,
)

T0 = datetime(2031, 10, 13, 14, 0, tzinfo=UTC)


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


def row(
    join: int,
    leave: int,
    *,
    email: str = "",
    registrant_id: str = "",
    name: str = "X",
    status: str = "",
) -> ParticipantRow:
    return ParticipantRow(name, email, registrant_id, at(join), at(leave), status)


REGISTERED = [
    Registered("b1", "reg-1", "anna@example.com"),
    Registered("b2", None, "jürgen@Müller.example"),
    Registered("b3", "reg-3", "carl@example.com"),
]


def test_registrant_id_wins_over_a_different_email() -> None:
    result = match_instance(
        [row(0, 30, registrant_id="reg-1", email="other@x.example")], REGISTERED
    )
    assert result.seconds == {"b1": 1800}
    assert result.unmatched == ()


def test_email_matches_case_insensitively_with_punycode_domain() -> None:
    rows = [row(0, 10, email="JÜRGEN@xn--mller-kva.example")]
    assert match_instance(rows, REGISTERED).seconds == {"b2": 600}


def test_names_never_match() -> None:
    result = match_instance([row(0, 40, name="Anna", email="")], REGISTERED)
    assert result.seconds == {}
    assert [u.name for u in result.unmatched] == ["Anna"]
    assert result.unmatched[0].seconds == 2400


def test_waiting_room_rows_are_dropped() -> None:
    rows = [row(0, 60, registrant_id="reg-1", status="in_waiting_room")]
    result = match_instance(rows, REGISTERED)
    assert result.seconds == {} and result.participants == 0


def test_rejoins_merge_as_union_of_intervals() -> None:
    rows = [
        row(0, 20, registrant_id="reg-3"),
        row(10, 30, registrant_id="reg-3"),  # a second device, overlapping
        row(40, 50, email="carl@example.com"),  # a rejoin without registrant id
    ]
    assert match_instance(rows, REGISTERED).seconds == {"b3": 40 * 60}


def test_unregistered_guest_rejoining_is_one_unmatched_entry() -> None:
    rows = [row(0, 5, name="Guest"), row(10, 20, name="guest ")]
    result = match_instance(rows, REGISTERED)
    assert len(result.unmatched) == 1 and result.unmatched[0].seconds == 900


def test_rule_is_percent_of_scheduled_duration() -> None:
    assert attended(30 * 60, 60 * 60, 50)
    assert not attended(30 * 60 - 1, 60 * 60, 50)
    assert attended(0, 60 * 60, 0)


def test_manual_mark_is_kept_and_zoom_figure_beside_it() -> None:
    mark = zoom_mark(False, AttendanceSource.MANUAL, 3600, 3600, 50)
    assert mark.attended is False and mark.source is AttendanceSource.MANUAL
    assert mark.zoom_attended is True and mark.zoom_minutes == 60 and not mark.changed
    mark = zoom_mark(None, None, 0, 3600, 50)
    assert mark.attended is False and mark.source is AttendanceSource.ZOOM and mark.changed


def test_instance_maps_to_nearest_occurrence_and_restarts_add_up() -> None:
    starts = [at(0), at(7 * 24 * 60)]
    assert occurrence_for(at(3), starts) == 0
    assert occurrence_for(at(7 * 24 * 60 - 10), starts) == 1
    totals = session_seconds([(at(0), {"b1": 600}), (at(25), {"b1": 900, "b2": 60})], starts)
    assert totals == {0: {"b1": 1500, "b2": 60}}


def test_comparable_email_keeps_ascii_as_lower_case() -> None:
    assert comparable_email(" Anna@Example.COM ") == "anna@example.com"
    assert comparable_email("a@bücher.example") == comparable_email("A@xn--bcher-kva.example")


intervals = st.lists(
    st.tuples(st.integers(0, 300), st.integers(0, 300)).map(lambda p: (at(p[0]), at(p[1]))),
    max_size=12,
)


@given(intervals)
def test_union_is_bounded_by_the_span_and_the_sum(pairs: list[tuple[datetime, datetime]]) -> None:
    total = union_seconds(pairs)
    positive = [(s, e) for s, e in pairs if e > s]
    assert total <= sum(int((e - s).total_seconds()) for s, e in positive)
    if positive:
        span = max(e for _, e in positive) - min(s for s, _ in positive)
        assert total <= span.total_seconds()
        assert total >= max(int((e - s).total_seconds()) for s, e in positive)
    else:
        assert total == 0


@given(intervals)
def test_union_does_not_depend_on_order_or_duplicates(
    pairs: list[tuple[datetime, datetime]],
) -> None:
    assert union_seconds(pairs) == union_seconds(list(reversed(pairs)) + pairs)


def test_zoom_rows_are_parsed_and_bad_ones_skipped() -> None:
    parsed = parse_participant(
        {"name": "A", "join_time": "2031-10-13T14:00:00Z", "duration": 90, "registrant_id": "r"}
    )
    assert parsed is not None and parsed.leave_time == at(0) + timedelta(seconds=90)
    assert parse_participant({"name": "A", "join_time": "yesterday"}) is None
    assert parse_participant("row") is None


def test_an_unknown_meeting_is_asked_about_again_with_doubling_pauses_for_ten_minutes() -> None:
    sent = datetime(2031, 1, 1, 10, 0, tzinfo=UTC)
    looks, now = [sent], sent
    while (wait := unknown_meeting_wait(sent, now)) is not None:
        now += wait
        looks.append(now)
    offsets = [int((look - sent).total_seconds()) for look in looks]
    assert offsets == [0, 15, 30, 60, 120, 240, 480, 960]
    assert unknown_meeting_wait(None, sent) is None  # no send time: decided at once
