"""Who attended a Zoom meeting instance, from its participant rows (CONTRACT §7).

Matching is exact, never by name: a row belongs to a person we registered when its
`registrant_id` is theirs, else when its `user_email` equals theirs (case-insensitive, the domain
compared in punycode); every other row is unmatched and waits for a person to link it. Rows of
people still in the waiting room are dropped. A person's rows (rejoins) are merged as the union
of their join–leave intervals, so overlapping rows from two devices are not counted twice.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from service.domain.booking_events import Session

WAITING_ROOM = "in_waiting_room"
DEFAULT_MIN_PERCENT = 50


class AttendanceSource(StrEnum):
    """Who set an attendee's `attended`: an admin by hand, or the Zoom import."""

    MANUAL = "manual"
    ZOOM = "zoom"


class ImportStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class AttendanceRules:
    """The configured rule (`ATTENDANCE_MIN_PERCENT`) and whether no-shows go to Calendly."""

    min_percent: int = DEFAULT_MIN_PERCENT
    push_no_shows: bool = False


@dataclass(frozen=True)
class ParticipantRow:
    """One join segment as Zoom lists it in `/past_meetings/{uuid}/participants`."""

    name: str
    email: str
    registrant_id: str
    join_time: datetime
    leave_time: datetime
    status: str = ""


@dataclass(frozen=True)
class Registered:
    """Someone we registered for the meeting: a booking or a Calendly attendee (`key`)."""

    key: str
    registrant_id: str | None
    email: str


@dataclass(frozen=True)
class Unmatched:
    """A person nobody registered (or we can't tell who): name, email, merged seconds."""

    name: str
    email: str
    registrant_id: str
    seconds: int


@dataclass(frozen=True)
class InstanceResult:
    """Per registered key the seconds present (only those who appeared), and the rest."""

    seconds: dict[str, int] = field(default_factory=dict)
    unmatched: tuple[Unmatched, ...] = ()
    participants: int = 0  # rows counted (waiting-room rows excluded)


def comparable_email(raw: str) -> str:
    """An email as compared: trimmed, lower case, a non-ASCII domain label in punycode."""
    local, at, domain = raw.strip().rpartition("@")
    if not at:
        return raw.strip().casefold()
    labels = unicodedata.normalize("NFC", domain).casefold().split(".")
    ascii_labels = []
    for label in labels:
        if label.isascii():
            ascii_labels.append(label)
        else:
            ascii_labels.append("xn--" + label.encode("punycode").decode("ascii"))
    return f"{local.casefold()}@{'.'.join(ascii_labels)}"


def union_seconds(intervals: Iterable[tuple[datetime, datetime]]) -> int:
    """Seconds covered by the union of the intervals (empty or reversed ones count nothing)."""
    total = 0.0
    current_start: datetime | None = None
    current_end: datetime | None = None
    for start, end in sorted((s, e) for s, e in intervals if e > s):
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_start is not None and current_end is not None:
        total += (current_end - current_start).total_seconds()
    return int(total)


def match_instance(
    rows: Iterable[ParticipantRow], registered: Sequence[Registered]
) -> InstanceResult:
    """Match rows to registered people and merge each person's intervals."""
    by_registrant = {r.registrant_id: r.key for r in registered if r.registrant_id}
    by_email: dict[str, str] = {}
    for person in registered:
        by_email.setdefault(comparable_email(person.email), person.key)
    matched: dict[str, list[tuple[datetime, datetime]]] = {}
    strangers: dict[str, list[ParticipantRow]] = {}
    counted = 0
    for row in rows:
        if row.status == WAITING_ROOM:
            continue
        counted += 1
        key = by_registrant.get(row.registrant_id) if row.registrant_id else None
        if key is None and row.email:
            key = by_email.get(comparable_email(row.email))
        if key is not None:
            matched.setdefault(key, []).append((row.join_time, row.leave_time))
        else:
            strangers.setdefault(_stranger_key(row), []).append(row)
    unmatched = tuple(
        Unmatched(
            name=group[0].name,
            email=group[0].email,
            registrant_id=group[0].registrant_id,
            seconds=union_seconds((r.join_time, r.leave_time) for r in group),
        )
        for group in strangers.values()
    )
    seconds = {key: union_seconds(intervals) for key, intervals in matched.items()}
    return InstanceResult(seconds=seconds, unmatched=unmatched, participants=counted)


def _stranger_key(row: ParticipantRow) -> str:
    """Rejoins of one unregistered person: same email, else same registrant id, else same name."""
    if row.email:
        return "e:" + comparable_email(row.email)
    if row.registrant_id:
        return "r:" + row.registrant_id
    return "n:" + row.name.strip().casefold()


def attended(seconds: int, scheduled_seconds: int, min_percent: int) -> bool:
    """Present at least `min_percent` % of the scheduled duration (exact, in whole seconds)."""
    return seconds * 100 >= min_percent * scheduled_seconds


def minutes(seconds: int) -> int:
    """Whole minutes shown to people (rounded half up)."""
    return (seconds + 30) // 60


@dataclass(frozen=True)
class Mark:
    """What the Zoom import sets on a Calendly attendee."""

    attended: bool | None
    source: AttendanceSource | None
    zoom_attended: bool
    zoom_minutes: int
    changed: bool  # whether `attended` changes (audit, pipeline, no-show)


def zoom_mark(
    current: bool | None,
    current_source: AttendanceSource | None,
    seconds: int,
    scheduled_seconds: int,
    min_percent: int,
) -> Mark:
    """The Zoom result for one attendee; a mark made by hand stays, the Zoom figure beside it."""
    result = attended(seconds, scheduled_seconds, min_percent)
    if current_source is AttendanceSource.MANUAL:
        return Mark(current, current_source, result, minutes(seconds), changed=False)
    return Mark(result, AttendanceSource.ZOOM, result, minutes(seconds), changed=current != result)


def occurrence_for(instance_start: datetime, occurrence_starts: Sequence[datetime]) -> int | None:
    """The index of the scheduled occurrence nearest to an instance's start (None if none)."""
    if not occurrence_starts:
        return None
    return min(
        range(len(occurrence_starts)),
        key=lambda i: (abs((occurrence_starts[i] - instance_start).total_seconds()), i),
    )


def session_seconds(
    instances: Iterable[tuple[datetime, dict[str, int]]], occurrence_starts: Sequence[datetime]
) -> dict[int, dict[str, int]]:
    """Per occurrence index, per key, the seconds of all its instances added up.

    A restarted meeting is several instances of one occurrence; they do not overlap in time, so
    adding their seconds is their union.
    """
    totals: dict[int, dict[str, int]] = {}
    for start, seconds in instances:
        index = occurrence_for(start, occurrence_starts)
        if index is None:
            continue
        bucket = totals.setdefault(index, {})
        for key, value in seconds.items():
            bucket[key] = bucket.get(key, 0) + value
    return totals


@dataclass(frozen=True)
class SessionWindow:
    """A scheduled session: its local date, its start in UTC and its length."""

    date: date
    start: datetime
    seconds: int


def session_windows(sessions: Iterable[Session], zone: ZoneInfo) -> list[SessionWindow]:
    """The course's sessions as instants (wall-clock times in the course's zone → UTC)."""
    return [
        SessionWindow(
            date=session.date,
            start=datetime.combine(session.date, session.start, zone).astimezone(UTC),
            seconds=session.length_minutes * 60,
        )
        for session in sessions
    ]


def parse_participant(raw: object) -> ParticipantRow | None:
    """A row of Zoom's participant list; None when it has no usable join time.

    A missing `leave_time` is the join time plus `duration` (seconds), as Zoom reports both.
    """
    if not isinstance(raw, dict):
        return None
    joined = parse_instant(raw.get("join_time"))
    if joined is None:
        return None
    left = parse_instant(raw.get("leave_time"))
    if left is None:
        duration = raw.get("duration")
        seconds = duration if isinstance(duration, int) and duration > 0 else 0
        left = joined + timedelta(seconds=seconds)
    return ParticipantRow(
        name=str(raw.get("name") or ""),
        email=str(raw.get("user_email") or ""),
        registrant_id=str(raw.get("registrant_id") or ""),
        join_time=joined,
        leave_time=left,
        status=str(raw.get("status") or ""),
    )


def parse_instant(value: object) -> datetime | None:
    """Zoom's `2031-10-13T14:00:00Z` (or any ISO 8601 time) as an aware instant; else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


UNKNOWN_MEETING_GRACE = timedelta(minutes=10)
UNKNOWN_MEETING_FIRST_WAIT = timedelta(seconds=15)


def unknown_meeting_wait(sent_at: datetime | None, now: datetime) -> timedelta | None:
    """How long to wait before asking again whether a meeting Zoom says ended is ours.

    `meeting.ended` can overtake the Calendly webhook (or booking event) that makes its
    meeting ours: for UNKNOWN_MEETING_GRACE after Zoom sent it, it is looked at again with
    doubling pauses (15 s, 30 s, 60 s …, seven looks in all); then, or without a send time,
    the meeting is not ours (None). The nightly sweep still catches one that turns ours later.
    """
    if sent_at is None:
        return None
    elapsed = now - sent_at
    if elapsed >= UNKNOWN_MEETING_GRACE:
        return None
    return max(UNKNOWN_MEETING_FIRST_WAIT, elapsed)
