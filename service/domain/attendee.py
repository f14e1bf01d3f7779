"""The stored info-webinar attendee and its attendance register."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from service.domain.calendly_payloads import CalendlyStatus, Cancellation


@dataclass(frozen=True)
class AttendeeState:
    """A Calendly invitee as we keep it: Calendly's view plus what admins added.

    Calendly-owned (changed only by `calendly_merge`): everything up to `updated_at`;
    `rescheduled_from` / `rescheduled_to` are the invitee URIs on the other side of a reschedule.
    Admin-owned (never changed by a Calendly merge): `attended` (`None` = pending) with
    `attendance_marked_at`, the time of the decision that set it, `user_id` (the linked teacher),
    `prognosis_class_count`, `prognosis_start`, `notes`.
    """

    uri: str
    event_uri: str
    name: str
    email: str
    status: CalendlyStatus
    cancellation: Cancellation | None
    rescheduled_from: str | None
    rescheduled_to: str | None
    created_at: datetime
    updated_at: datetime
    attended: bool | None = None
    attendance_marked_at: datetime | None = None
    user_id: int | None = None
    prognosis_class_count: int | None = None
    prognosis_start: str | None = None
    notes: str | None = None


def mark_attendance(state: AttendeeState, attended: bool | None, at: datetime) -> AttendeeState:
    """Record an attendance decision made at `at`, unless a later decision is already recorded.

    Two writers decide attendance: admins (`PUT /attendees/attendance`, `at` = now) and Calendly
    no-show webhooks (`at` = the envelope's `created_at`), which may be retried for 24 h and
    arrive in any order. Keeping the decision with the latest `at` makes the outcome independent
    of arrival order: a late-delivered old no-show cannot undo an admin's newer mark. Decisions
    at the very same instant are ordered attended > not attended > pending, so a tie is settled
    the same way whichever came first.
    """
    if state.attendance_marked_at is not None and _decision_order(attended, at) <= _decision_order(
        state.attended, state.attendance_marked_at
    ):
        return state
    return replace(state, attended=attended, attendance_marked_at=at)


def _decision_order(attended: bool | None, at: datetime) -> tuple[datetime, int]:
    rank = {True: 2, False: 1, None: 0}[attended]
    return (at, rank)
