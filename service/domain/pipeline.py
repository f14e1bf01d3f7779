"""The teacher pipeline as far as info-webinars move it (CONTRACT §5, seeds 000/001).

A teacher who connected a school must visit an info-webinar (4); booking one moves them to
"booked" (6); the admin's attendance mark moves them on to "school active" (8) or "did not take
part" (7); cancelling the only booking sends them back to 4. "School active" is never lowered
automatically.

The status is *derived from all of the teacher's linked attendees* rather than stepped by
individual triggers. Webhooks, syncs and admin edits arrive in any order and an attendee can be
re-linked to another teacher; a trigger such as "the only active booking was cancelled" cannot be
judged without looking at the other bookings anyway. Deriving from the current set makes the
result a function of that set alone (order-independent by construction); only `schule_aktiv`
depends on history, and it is absorbing: as soon as any linked attendee is marked attended the
teacher is at 8 in every order of events, and stays there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

from service.domain.calendly_payloads import CalendlyStatus


class PipelineStatus(IntEnum):
    """The numeric pipeline states of the teacher record; the API shows the name."""

    INFOWEBINAR_BESUCHEN = 4
    INFOWEBINAR_GEBUCHT = 6
    NICHT_TEILGENOMMEN = 7
    SCHULE_AKTIV = 8

    @property
    def api_name(self) -> str:
        """The name in `pipeline_status`, e.g. `schule_aktiv`."""
        return self.name.lower()


NEW_TEACHER_STATUS = PipelineStatus.INFOWEBINAR_BESUCHEN


class LinkedAttendance(Protocol):
    """What the pipeline reads of an attendee linked to the teacher (an `AttendeeState` fits)."""

    @property
    def status(self) -> CalendlyStatus: ...

    @property
    def attended(self) -> bool | None: ...


@dataclass(frozen=True)
class Transition:
    """A pipeline change to record: from, to, and the rule that caused it."""

    from_status: PipelineStatus
    to_status: PipelineStatus
    cause: str


def status_from_attendances(
    attendances: Iterable[LinkedAttendance],
) -> tuple[PipelineStatus, str]:
    """The status a teacher's linked attendees call for, with the reason, by precedence:

    1. any attendee marked attended → `schule_aktiv` (even if the booking was later cancelled:
       the teacher was there);
    2. an active booking still pending → `infowebinar_gebucht` (a new booking after a missed
       webinar counts: the teacher is booked again);
    3. an active booking marked not attended → `nicht_teilgenommen`;
    4. otherwise (no bookings, or all cancelled) → `infowebinar_besuchen`.
    """
    active_marks = []
    for attendance in attendances:
        if attendance.attended is True:
            return PipelineStatus.SCHULE_AKTIV, "a linked attendee attended the info-webinar"
        if attendance.status is CalendlyStatus.ACTIVE:
            active_marks.append(attendance.attended)
    if None in active_marks:
        return PipelineStatus.INFOWEBINAR_GEBUCHT, "a linked attendee has an active booking"
    if False in active_marks:
        return PipelineStatus.NICHT_TEILGENOMMEN, "a linked attendee did not attend"
    return PipelineStatus.INFOWEBINAR_BESUCHEN, "no active booking of a linked attendee"


def next_status(
    current: PipelineStatus, attendances: Iterable[LinkedAttendance]
) -> Transition | None:
    """The transition a change to the teacher's attendees causes, or `None` if the status stays.

    Call it after anything that touches a linked attendee (booked, cancelled, attendance set or
    reset, linked or unlinked) with all attendees now linked to the teacher. `schule_aktiv` is
    never lowered automatically (CONTRACT §5), so from there the answer is always `None`.
    """
    if current is PipelineStatus.SCHULE_AKTIV:
        return None
    target, cause = status_from_attendances(attendances)
    if target is current:
        return None
    return Transition(from_status=current, to_status=target, cause=cause)
