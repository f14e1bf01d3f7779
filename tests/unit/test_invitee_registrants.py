from dataclasses import dataclass

import pytest

from service.domain.invitee_registrants import invitee_registrant_body, needs_zoom_call
from service.domain.zoom_objects import SyncState

MEETING = 5


@dataclass(frozen=True)
class Stored:
    meeting_id: int = MEETING
    zoom_status: str | None = "approved"
    state: SyncState = SyncState.DONE


@pytest.mark.parametrize(
    ("active", "stored", "needed"),
    [
        (True, None, True),
        (False, None, False),
        (True, Stored(), False),
        (False, Stored(), True),
        (True, Stored(zoom_status="cancelled"), True),
        (False, Stored(zoom_status="cancelled"), False),
        (True, Stored(state=SyncState.IN_FLIGHT), True),
        (True, Stored(zoom_status=None, state=SyncState.FAILED), False),
        (False, Stored(state=SyncState.FAILED), False),
        (True, Stored(meeting_id=MEETING + 1), True),
        (False, Stored(meeting_id=MEETING + 1, state=SyncState.FAILED), False),
    ],
)
def test_when_an_invitee_needs_a_zoom_call(
    active: bool, stored: Stored | None, needed: bool
) -> None:
    assert needs_zoom_call(active, MEETING, stored) is needed


def test_the_first_word_is_the_first_name() -> None:
    assert invitee_registrant_body("  Ada King Lovelace ", "ada@example.org") == {
        "email": "ada@example.org",
        "first_name": "Ada",
        "last_name": "King Lovelace",
        "auto_approve": True,
    }
    assert invitee_registrant_body("", "x@example.org")["first_name"] == "x@example.org"
