"""The Zoom meeting a course becomes: its shape, its JSON body, and what changed.

Times go to Zoom as local wall-clock time plus the IANA `timezone`, never as UTC with `Z`:
Zoom then keeps 16:00 at 16:00 across a daylight-saving change in a recurring series, which
is what the course means (mixing the two shifts meetings by the UTC offset).

Registration is required with manual approval (`approval_type` 1); the registrants we add are
approved on the way in (`auto_approve`, see `registrants.registrant_body`), so someone who finds
the public registration link is not let in by it. Zoom then leaves `join_url` out of the
add-registrant answer; it is read from the registrant list instead.

Each meeting we create carries its course's marker as the first line of its `agenda` (the topic
is the course title, CONTRACT §4). `GET /users/{userId}/meetings` returns `agenda` (cut to 250
characters), so when a create's answer is lost the meeting can be found again by its marker
instead of being created twice (docs/architecture.md: "Zoom calls are not blindly
repeated"). The marker is sent only on create and is not
part of `MeetingSpec`, so it never causes an update by itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from service.domain.booking_events import Course
from service.domain.course_validation import shape_problems
from service.domain.recurrence import Recurrence, find_recurrence, occurrence_dates
from service.domain.validation_errors import ValidationError

SCHEDULED_MEETING = 2
RECURRING_FIXED_TIME_MEETING = 8
MANUAL_APPROVAL = 1
REGISTER_ONCE_ATTEND_ALL = 1

_SCHEDULE_FIELDS = ("type", "start_time", "timezone", "duration", "recurrence")
#: Zoom cuts `agenda` to 250 characters in meeting lists; longer course ids are hashed.
_LISTED_AGENDA_CHARS = 250
_MARKER_ID_MAX = 200


class CourseNotReadyForZoom(Exception):
    """The course has no meeting shape yet; `errors` say why (same as `validate_for_zoom`)."""

    def __init__(self, errors: list[ValidationError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class MeetingSpec:
    """What we want Zoom to hold for a course; `start` is naive local time in `timezone`."""

    topic: str
    timezone: str
    start: datetime
    duration: int
    recurrence: Recurrence | None

    @property
    def type(self) -> int:
        return SCHEDULED_MEETING if self.recurrence is None else RECURRING_FIXED_TIME_MEETING

    @property
    def start_time(self) -> str:
        """Zoom's local form `YYYY-MM-DDTHH:MM:SS`, read in `timezone`."""
        return self.start.strftime("%Y-%m-%dT%H:%M:%S")

    def settings(self) -> dict[str, int]:
        settings = {"approval_type": MANUAL_APPROVAL}
        if self.recurrence is not None:
            settings["registration_type"] = REGISTER_ONCE_ATTEND_ALL
        return settings

    def to_zoom_body(self) -> dict[str, object]:
        """The body of `POST /users/{userId}/meetings`."""
        body: dict[str, object] = {
            "topic": self.topic,
            "type": self.type,
            "start_time": self.start_time,
            "timezone": self.timezone,
            "duration": self.duration,
            "settings": self.settings(),
        }
        if self.recurrence is not None:
            body["recurrence"] = self.recurrence.to_zoom()
        return body


def course_marker(course_id: str) -> str:
    """The line that tells our meeting for `course_id` apart in the host's meeting list."""
    if len(course_id) > _MARKER_ID_MAX or not course_id.isprintable():
        course_id = "sha256:" + hashlib.sha256(course_id.encode()).hexdigest()
    marker = f"[webinar-sync course {course_id}]"
    assert len(marker) <= _LISTED_AGENDA_CHARS
    return marker


def create_body(spec: MeetingSpec, course_id: str) -> dict[str, object]:
    """The body of `POST /users/{userId}/meetings`: the spec plus the course's marker."""
    return {**spec.to_zoom_body(), "agenda": course_marker(course_id)}


def carries_marker(agenda: object, course_id: str) -> bool:
    """Whether a listed meeting's `agenda` holds the marker of `course_id` as a line of its own
    (a line, not a substring: course 100's marker is not part of course 1006's)."""
    if not isinstance(agenda, str):
        return False
    marker = course_marker(course_id)
    return any(line.strip() == marker for line in agenda.splitlines())


def meeting_shape(course: Course) -> MeetingSpec:
    """One session: a scheduled meeting; several: one recurring meeting on exactly their dates.

    Raises `CourseNotReadyForZoom` when the sessions or title don't allow a meeting.
    """
    problems = shape_problems(course)
    if problems:
        raise CourseNotReadyForZoom(problems)
    sessions = sorted(course.sessions, key=lambda s: s.date)
    recurrence = find_recurrence([s.date for s in sessions]) if len(sessions) > 1 else None
    first = sessions[0]
    return MeetingSpec(
        topic=course.title,
        timezone=course.timezone,
        start=datetime.combine(first.date, first.start),
        duration=first.length_minutes,
        recurrence=recurrence,
    )


def expected_occurrence_dates(spec: MeetingSpec) -> list[date]:
    """The local dates the meeting should take place on, to check Zoom's `occurrences`."""
    if spec.recurrence is None:
        return [spec.start.date()]
    return occurrence_dates(spec.recurrence, spec.start.date())


def expand_recurrence(spec: MeetingSpec) -> list[datetime]:
    """Every occurrence's start, aware in the meeting's zone (its UTC moves across DST)."""
    zone = ZoneInfo(spec.timezone)
    return [
        datetime.combine(day, spec.start.time(), tzinfo=zone)
        for day in expected_occurrence_dates(spec)
    ]


def meeting_changes(old: MeetingSpec, new: MeetingSpec) -> dict[str, object]:
    """The `PATCH /meetings/{id}` body for going from `old` to `new`; empty: nothing to send.

    Schedule fields travel together: Zoom reads `start_time` in `timezone` and requires the
    `recurrence` whenever `start_time` is sent for a recurring meeting.
    """
    before, after = old.to_zoom_body(), new.to_zoom_body()
    changes: dict[str, object] = {}
    if before["topic"] != after["topic"]:
        changes["topic"] = after["topic"]
    if any(before.get(field) != after.get(field) for field in _SCHEDULE_FIELDS):
        changes.update({field: after[field] for field in _SCHEDULE_FIELDS if field in after})
    old_settings = old.settings()
    settings = {k: v for k, v in new.settings().items() if old_settings.get(k) != v}
    if settings:
        changes["settings"] = settings
    return changes
