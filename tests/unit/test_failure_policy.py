"""The one failure policy of inbox and outbox items: retry at a time, or bury."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.domain.failure_policy import (
    MAX_ATTEMPTS,
    MAX_DELAY_S,
    Bury,
    Failure,
    FailureKind,
    RetryAt,
    backoff,
    decide,
)

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def highest(low: float, high: float) -> float:
    return high


def lowest(low: float, high: float) -> float:
    return low


def transient(retry_after: timedelta | None = None) -> Failure:
    return Failure(FailureKind.TRANSIENT, "ReadTimeout", "no answer", retry_after=retry_after)


def test_a_transient_failure_backs_off_exponentially_with_jitter() -> None:
    waits = [decide(transient(), n, NOW, highest) for n in (1, 2, 3)]
    assert waits == [RetryAt(NOW + timedelta(seconds=s)) for s in (2, 4, 8)]
    assert decide(transient(), 3, NOW, lowest) == RetryAt(NOW + timedelta(seconds=4))


def test_the_back_off_is_capped() -> None:
    assert backoff(40, highest) == timedelta(seconds=MAX_DELAY_S)


def test_the_vendors_retry_after_replaces_the_back_off() -> None:
    failure = transient(retry_after=timedelta(seconds=30))
    assert decide(failure, 1, NOW, highest) == RetryAt(NOW + timedelta(seconds=30))


def test_the_last_attempt_buries_a_transient_failure() -> None:
    assert isinstance(decide(transient(), MAX_ATTEMPTS - 1, NOW), RetryAt)
    assert decide(transient(), MAX_ATTEMPTS, NOW) == Bury()


def test_a_terminal_failure_is_buried_at_once() -> None:
    failure = Failure(FailureKind.TERMINAL, "Terminal", "invalid email")
    assert decide(failure, 1, NOW) == Bury()
    assert failure.summary == "Terminal: invalid email"


def test_a_deferral_waits_for_its_time_spends_no_attempt_and_is_never_buried() -> None:
    until = NOW + timedelta(hours=12)
    failure = Failure(FailureKind.DEFERRED, "ZoomDeferred", "daily limit", until=until)
    assert not failure.spends_attempt
    assert decide(failure, MAX_ATTEMPTS + 5, NOW) == RetryAt(until)
    assert failure.summary == "deferred: daily limit"


@pytest.mark.parametrize(
    ("kind", "until"),
    [(FailureKind.DEFERRED, None), (FailureKind.TRANSIENT, NOW), (FailureKind.TERMINAL, NOW)],
)
def test_only_a_deferral_says_until_when(kind: FailureKind, until: datetime | None) -> None:
    with pytest.raises(ValueError, match="until when"):
        Failure(kind, "Error", "message", until=until)
