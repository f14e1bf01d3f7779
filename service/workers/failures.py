"""How a failed inbox or outbox item is settled under the one failure policy
(`service/domain/failure_policy.py`; docs/architecture.md: "Failures are classified").

`classify` turns what was raised into a domain `Failure`; `settle` records the attempt and
carries out the policy's verdict (retry at a time, or a dead letter) in the caller's
transaction, on the row the caller has locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from service.adapters.postgres import Connection
from service.adapters.work_items import bury, record_attempt, schedule_retry
from service.adapters.zoom import ZoomDeferred, ZoomRetryable, ZoomTerminal
from service.domain.failure_policy import (
    Deferred,
    Failure,
    FailureKind,
    RetryAt,
    Terminal,
    Verdict,
    decide,
    describe,
)
from service.domain.queue_states import Queue
from service.workers.registry import Unregistered


def classify(error: Exception) -> Failure:
    error_class, message = describe(error)
    if isinstance(error, Deferred | ZoomDeferred):
        return Failure(FailureKind.DEFERRED, error_class, message, until=error.until)
    if isinstance(error, Terminal | ZoomTerminal | Unregistered):
        return Failure(FailureKind.TERMINAL, error_class, message)
    retry_after = None
    if isinstance(error, ZoomRetryable) and error.retry_after is not None:
        retry_after = timedelta(seconds=error.retry_after)
    return Failure(FailureKind.TRANSIENT, error_class, message, retry_after=retry_after)


@dataclass(frozen=True)
class FailedItem:
    """A failed row, locked by the caller; `attempts` counts this failure if it spends one."""

    queue: Queue
    id: int
    source: str  # the system it came from or was meant for: the dead letter's `source`
    type: str  # event type or command
    attempts: int
    payload: Any


async def settle(conn: Connection, item: FailedItem, failure: Failure) -> Verdict:
    error = (failure.error_class, failure.message)
    if failure.spends_attempt:
        await record_attempt(conn, item.queue, item.id, item.attempts, error)
    verdict = decide(failure, item.attempts, datetime.now(UTC))
    if isinstance(verdict, RetryAt):
        await schedule_retry(conn, item.queue, item.id, verdict.at, failure.summary)
    else:
        await bury(
            conn,
            queue=item.queue,
            ref_id=item.id,
            source=item.source,
            type_=item.type,
            error=error,
            attempts=item.attempts,
            payload=item.payload,
        )
    return verdict


def delay_ms(until: datetime) -> int:
    """How long the courier should hold a message due at `until`."""
    return max(0, int((until - datetime.now(UTC)).total_seconds() * 1000))
