"""The teacher pipeline follows the teacher's linked attendees (CONTRACT §5)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.calendly_payloads import CalendlyStatus
from service.domain.pipeline import (
    NEW_TEACHER_STATUS,
    PipelineStatus,
    Transition,
    next_status,
    status_from_attendances,
)

ACTIVE, CANCELED = CalendlyStatus.ACTIVE, CalendlyStatus.CANCELED
BESUCHEN = PipelineStatus.INFOWEBINAR_BESUCHEN
GEBUCHT = PipelineStatus.INFOWEBINAR_GEBUCHT
NICHT = PipelineStatus.NICHT_TEILGENOMMEN
AKTIV = PipelineStatus.SCHULE_AKTIV


@dataclass(frozen=True)
class Attendee:
    status: CalendlyStatus = ACTIVE
    attended: bool | None = None


def test_states_have_the_numbers_and_names_of_the_teacher_record() -> None:
    assert [(s.value, s.api_name) for s in PipelineStatus] == [
        (4, "infowebinar_besuchen"),
        (6, "infowebinar_gebucht"),
        (7, "nicht_teilgenommen"),
        (8, "schule_aktiv"),
    ]
    assert NEW_TEACHER_STATUS is BESUCHEN


@pytest.mark.parametrize(
    ("current", "attendees", "expected"),
    [
        pytest.param(BESUCHEN, [Attendee()], GEBUCHT, id="linked attendee booked"),
        pytest.param(GEBUCHT, [Attendee(attended=True)], AKTIV, id="attended"),
        pytest.param(GEBUCHT, [Attendee(attended=False)], NICHT, id="not attended"),
        pytest.param(NICHT, [Attendee(attended=None)], GEBUCHT, id="back to pending, booked"),
        pytest.param(
            NICHT, [Attendee(CANCELED, attended=None)], BESUCHEN, id="back to pending, cancelled"
        ),
        pytest.param(GEBUCHT, [Attendee(CANCELED)], BESUCHEN, id="only booking cancelled"),
        pytest.param(GEBUCHT, [], BESUCHEN, id="attendee unlinked"),
        pytest.param(
            NICHT, [Attendee(attended=False), Attendee()], GEBUCHT, id="booked again after missing"
        ),
        pytest.param(
            BESUCHEN, [Attendee(CANCELED, attended=True)], AKTIV, id="attended, booking cancelled"
        ),
        pytest.param(
            GEBUCHT,
            [Attendee(CANCELED), Attendee(attended=False)],
            NICHT,
            id="rescheduled booking missed",
        ),
    ],
)
def test_transitions(
    current: PipelineStatus, attendees: list[Attendee], expected: PipelineStatus
) -> None:
    transition = next_status(current, attendees)

    assert transition is not None
    assert (transition.from_status, transition.to_status) == (current, expected)
    assert transition.cause


def test_unchanged_status_is_no_transition() -> None:
    assert next_status(GEBUCHT, [Attendee(), Attendee(CANCELED)]) is None
    assert next_status(BESUCHEN, []) is None


@pytest.mark.parametrize(
    "attendees",
    [[], [Attendee(attended=False)], [Attendee(CANCELED)], [Attendee(attended=None)]],
)
def test_schule_aktiv_is_never_lowered_automatically(attendees: list[Attendee]) -> None:
    assert next_status(AKTIV, attendees) is None


def test_cause_names_the_rule() -> None:
    assert next_status(BESUCHEN, [Attendee(attended=True)]) == Transition(
        BESUCHEN, AKTIV, "a linked attendee attended the info-webinar"
    )
    assert status_from_attendances([Attendee(CANCELED)]) == (
        BESUCHEN,
        "no active booking of a linked attendee",
    )


attendee_sets = st.lists(
    st.builds(Attendee, st.sampled_from(CalendlyStatus), st.none() | st.booleans()), max_size=3
)


@given(st.lists(attendee_sets, min_size=1, max_size=6))
def test_status_depends_only_on_the_final_attendees_unless_once_active(
    history: list[list[Attendee]],
) -> None:
    """Whatever order the changes came in, the teacher ends where the final set says, except
    that a teacher who was ever marked attended stays `schule_aktiv`."""
    status = NEW_TEACHER_STATUS
    for attendees in history:
        transition = next_status(status, attendees)
        if transition is not None:
            assert transition.from_status is status
            status = transition.to_status

    ever_attended = any(a.attended is True for attendees in history for a in attendees)
    assert status is (AKTIV if ever_attended else status_from_attendances(history[-1])[0])
