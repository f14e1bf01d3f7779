"""Can this course become a Zoom meeting? Checked before the first call to Zoom.

Every problem is reported at once, in words a course admin can act on (CONTRACT §4, SEMCO's
"Probleme beheben"), so one correction round fixes them all and no half-made meeting is left
in Zoom.

Codes: `no_sessions`, `session_times_differ`, `duplicate_session_dates`,
`irregular_session_dates`, `too_many_occurrences`, `nonexistent_local_time`, `title_too_long`,
`supervisor_missing`, `moderator_trainer_missing`, `several_moderator_trainers`,
`zoom_user_missing`, `host_busy`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time

from service.domain.booking_events import Course, Moderator, Person
from service.domain.hosting import HostedSlot, host_zoom_user, same_zoom_user, session_bounds
from service.domain.recurrence import MAX_OCCURRENCES, find_recurrence
from service.domain.validation_errors import ValidationError

MAX_TOPIC_LENGTH = 200  # Zoom's meeting `topic` maxLength

__all__ = ["MAX_TOPIC_LENGTH", "ValidationError", "shape_problems", "validate_for_zoom"]


def validate_for_zoom(course: Course, other_hosted: Sequence[HostedSlot]) -> list[ValidationError]:
    """Every reason the course can't be created in Zoom now; empty when it can.

    `other_hosted` are the sessions of the other Zoom-synced courses (see `hosted_slots`);
    those of this course itself are ignored, so a re-sync does not clash with itself.
    """
    return [
        *_host_problems(course),
        *shape_problems(course),
        *_busy_host_problems(course, other_hosted),
    ]


def shape_problems(course: Course) -> list[ValidationError]:
    """The problems that keep the course from having a meeting shape (topic, times, dates)."""
    return [*_title_problems(course), *_session_problems(course)]


def _title_problems(course: Course) -> Iterator[ValidationError]:
    if len(course.title) > MAX_TOPIC_LENGTH:
        yield ValidationError(
            "title_too_long",
            f"The course title has {len(course.title)} characters; "
            f"a Zoom meeting topic can have at most {MAX_TOPIC_LENGTH}",
        )


def _host_problems(course: Course) -> Iterator[ValidationError]:
    if course.moderator is Moderator.SUPERVISOR:
        if course.supervisor is None:
            yield ValidationError(
                "supervisor_missing",
                "Moderator is set to supervisor, but the course has no supervisor",
            )
        candidates: list[Person] = [course.supervisor] if course.supervisor else []
    else:
        candidates = [t for t in course.trainers if t.moderator]
        if not candidates:
            yield ValidationError(
                "moderator_trainer_missing",
                "Moderator is set to trainer, but no trainer in the course is marked as moderator",
            )
        elif len(candidates) > 1:
            names = ", ".join(t.name for t in candidates)
            yield ValidationError(
                "several_moderator_trainers",
                f"More than one trainer is marked as moderator ({names}); "
                "a Zoom meeting has exactly one host",
            )
    for person in candidates:
        if person.zoom_user is None:
            yield ValidationError(
                "zoom_user_missing", f"Zoom user name is not set for user {person.name}"
            )


def _session_problems(course: Course) -> Iterator[ValidationError]:
    sessions = course.sessions
    if not sessions:
        yield ValidationError(
            "no_sessions", "The course has no sessions; a Zoom meeting needs at least one"
        )
        return
    yield from _nonexistent_times(course)
    if len(sessions) == 1:
        return
    if len({(s.start, s.end) for s in sessions}) > 1:
        yield ValidationError(
            "session_times_differ",
            "Sessions have different times; a recurring Zoom meeting needs the same time "
            "for all sessions",
        )
    dates = sorted(s.date for s in sessions)
    if len(dates) > MAX_OCCURRENCES:
        yield ValidationError(
            "too_many_occurrences",
            f"The course has {len(dates)} sessions; a recurring Zoom meeting can have at most "
            f"{MAX_OCCURRENCES}",
        )
    repeated = sorted(d for d, n in Counter(dates).items() if n > 1)
    if repeated:
        yield ValidationError(
            "duplicate_session_dates",
            f"More than one session on {_dates(repeated)}; a recurring Zoom meeting has one "
            "occurrence per day",
        )
    elif find_recurrence(dates) is None:
        yield ValidationError(
            "irregular_session_dates",
            f"Zoom can't repeat a meeting on exactly these dates: {_dates(dates)}; "
            "a recurring meeting needs daily, weekly (same weekdays) or monthly (same day) "
            "dates at a steady interval",
        )


def _nonexistent_times(course: Course) -> Iterator[ValidationError]:
    """Wall-clock times skipped when clocks go forward (e.g. 02:30 on a spring DST night)."""
    for session in course.sessions:
        for verb, clock in (("starts", session.start), ("ends", session.end)):
            if not _exists(session.date, clock, course):
                yield ValidationError(
                    "nonexistent_local_time",
                    f"The session on {session.date:%d.%m.%Y} {verb} at {clock:%H:%M}, a time "
                    f"that does not exist in {course.timezone} (the clocks change that night)",
                )


def _exists(day: date, clock: time, course: Course) -> bool:
    local = datetime.combine(day, clock, tzinfo=course.zone)
    return local.astimezone(UTC).astimezone(course.zone).time() == clock


def _busy_host_problems(
    course: Course, other_hosted: Sequence[HostedSlot]
) -> Iterator[ValidationError]:
    host = host_zoom_user(course)
    if host is None:
        return
    ours = [session_bounds(course, s) for s in course.sessions]
    clashes = [
        slot
        for slot in other_hosted
        if slot.course_id != course.id
        and same_zoom_user(slot.host, host)
        and any(slot.overlaps(start, end) for start, end in ours)
    ]
    for slot in dict.fromkeys(clashes):
        yield ValidationError(
            "host_busy",
            f"Host {host} already hosts course {slot.course_id} at an overlapping time "
            f"({_slot_time(slot)})",
        )


def _slot_time(slot: HostedSlot) -> str:
    """`12.10.2026 16:00-21:00` (en dash) in the other course's own zone, as its admins know it."""
    end_format = "%H:%M" if slot.end.date() == slot.start.date() else "%d.%m.%Y %H:%M"
    return f"{slot.start:%d.%m.%Y %H:%M}\u2013{slot.end.strftime(end_format)}"


def _dates(days: Sequence[date]) -> str:
    return ", ".join(f"{d:%d.%m.%Y}" for d in days)
