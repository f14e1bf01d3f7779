import pytest

from service.adapters.zoom.errors import (
    ZoomMeetingEnded,
    ZoomNotFound,
    ZoomParticipantsNotReady,
    ZoomRegistrantRefused,
    ZoomTerminal,
    add_registrant_refusal,
    participants_refusal,
    terminal,
)


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (404, None, ZoomNotFound),
        (404, 3001, ZoomNotFound),
        (400, 3001, ZoomNotFound),
        (400, 3007, ZoomMeetingEnded),
        (400, 3000, ZoomTerminal),
    ],
)
def test_refusals_that_mean_the_same_everywhere_get_a_class(
    status: int, code: int | None, kind: type[ZoomTerminal]
) -> None:
    error = terminal(status, code, "no")
    assert type(error) is kind
    assert (error.status, error.code, error.message) == (status, code, "no")


@pytest.mark.parametrize("code", [3000, 3001, 12702])
def test_participants_not_there_yet(code: int) -> None:
    assert isinstance(participants_refusal(terminal(400, code, "x")), ZoomParticipantsNotReady)


def test_other_refusals_stay_as_they_are() -> None:
    error = terminal(400, 300, "bad")
    assert participants_refusal(error) is error
    assert add_registrant_refusal(error) is error
    assert isinstance(add_registrant_refusal(terminal(400, 3000, "x")), ZoomRegistrantRefused)
