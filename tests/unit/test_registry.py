"""The registries of inbox handlers, outbox commands and jobs."""

from __future__ import annotations

import pytest

from service.domain.failure_policy import FailureKind
from service.workers.failures import classify
from service.workers.handlers import inbox_handlers
from service.workers.registry import Registry, Unregistered


def test_a_key_is_registered_once() -> None:
    registry = Registry[str, int]("number")
    registry.register("one", 1)
    with pytest.raises(ValueError, match="number 'one' is registered twice"):
        registry.register_all([{"two": 2}, {"one": 3}])
    assert registry.lookup("one") == 1
    assert registry.find("two") == 2


def test_an_unknown_key_is_a_clear_terminal_error() -> None:
    registry = Registry[str, int]("outbox command")
    assert registry.find("sync_everything") is None
    unknown = "no outbox command is registered for 'sync_everything'"
    with pytest.raises(Unregistered, match=unknown) as caught:
        registry.lookup("sync_everything")
    assert classify(caught.value).kind is FailureKind.TERMINAL


def test_every_inbox_event_kind_has_one_handler() -> None:
    handlers = inbox_handlers()
    assert handlers.find(("calendly", "invitee.created")) is not None
    assert handlers.find(("zoom", "meeting.ended")) is not None
    assert handlers.find(("calendly", "routing_form_submission.created")) is None
