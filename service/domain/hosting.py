"""Who hosts a course's Zoom meeting, and when that Zoom user is already busy.

A Zoom meeting has exactly one host, a licensed Zoom user. Several staff may share one Zoom
user (licences are few), but one Zoom user can't host two meetings at the same time, so busy
times are compared per Zoom user, in real (UTC) time across the courses' time zones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from service.domain.booking_events import Course, Moderator, Person, Session


class NoHost(Exception):
    """The course names no single host with a Zoom user; `validate_for_zoom` says why."""


def host_person(course: Course) -> Person | None:
    """The supervisor or the one trainer marked moderator; None when that is not one person."""
    if course.moderator is Moderator.SUPERVISOR:
        return course.supervisor
    moderators = [t for t in course.trainers if t.moderator]
    return moderators[0] if len(moderators) == 1 else None


def host_zoom_user(course: Course) -> str | None:
    person = host_person(course)
    return person.zoom_user if person is not None else None


def choose_host(course: Course) -> str:
    """The Zoom user the meeting is created on. Raises `NoHost`."""
    zoom_user = host_zoom_user(course)
    if zoom_user is None:
        raise NoHost(f"course {course.id} has no host with a Zoom user")
    return zoom_user


def same_zoom_user(a: str, b: str) -> bool:
    """Zoom users are emails; their case carries no meaning."""
    return a.strip().casefold() == b.strip().casefold()


def session_bounds(course: Course, session: Session) -> tuple[datetime, datetime]:
    """A session's start and end as aware datetimes in the course's zone."""
    zone = course.zone
    return (
        datetime.combine(session.date, session.start, tzinfo=zone),
        datetime.combine(session.date, session.end, tzinfo=zone),
    )


@dataclass(frozen=True)
class HostedSlot:
    """A time a Zoom user hosts another course; `start`/`end` are aware, in that course's zone."""

    course_id: str
    host: str
    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Real-time overlap; back-to-back meetings (one ends as the next starts) are fine."""
        # In UTC: Python compares datetimes of one zone by wall clock, wrong in the DST fold.
        mine = self.start.astimezone(UTC), self.end.astimezone(UTC)
        return mine[0] < end.astimezone(UTC) and start.astimezone(UTC) < mine[1]


def hosted_slots(course: Course) -> list[HostedSlot]:
    """The times this course's host is busy with it; none when it has no host yet."""
    host = host_zoom_user(course)
    if host is None:
        return []
    return [HostedSlot(course.id, host, *session_bounds(course, s)) for s in course.sessions]
