"""Whether a course is kept in Zoom at all, and which changes Zoom is not told about."""

from __future__ import annotations

from service.domain.booking_events import Course, CourseStatus, VenueKind
from service.domain.hosting import host_zoom_user, same_zoom_user

_SYNCED_STATUSES = frozenset({CourseStatus.CONFIRMED, CourseStatus.RUNNING})


def is_zoom_synced(course: Course) -> bool:
    """Held in the Zoom room and neither planned, finished nor cancelled (CONTRACT §4)."""
    return course.venue.kind is VenueKind.ZOOM and course.status in _SYNCED_STATUSES


def moderator_changed(old: Course, new: Course) -> bool:
    """True when the meeting would now belong to another Zoom user.

    Zoom can't move a meeting to another host through the API, so after the first sync such
    a change is reported, not propagated (SEMCO: "Ein Moderatorenwechsel ist nicht mehr
    möglich"). Switching between people who share one Zoom user changes nothing in Zoom.
    """
    before, after = host_zoom_user(old), host_zoom_user(new)
    if before is None or after is None:
        return before != after
    return not same_zoom_user(before, after)
