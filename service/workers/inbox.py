"""Applying inbox rows: find each one's handler, apply it once, record the outcome.

The ids of one message (events committed together at ingress) are applied in one
transaction: their rows are locked FOR UPDATE for the whole run, so a message delivered
twice (Redis redelivery, the relay) is applied once, the status check making it a no-op
the second time. If anything in that transaction fails, it is rolled back as a whole and
each event runs alone in its own transaction, where a failure is the event's own and is
settled by the failure policy (docs/architecture.md: "Queues and the failure policy").
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog

from service.adapters import inbox_queue
from service.domain.failure_policy import RetryAt
from service.domain.queue_states import InboxStatus, Queue
from service.logs import get_logger
from service.services.unit_of_work import UnitOfWork
from service.workers.failures import FailedItem, classify, delay_ms, settle
from service.workers.registry import Registry
from service.workers.runtime import WorkerRuntime

InboxHandler = Callable[[UnitOfWork, dict[str, Any]], Awaitable[None]]
HandlerRegistry = Registry[tuple[str, str], InboxHandler]  # keyed by (source, event type)

log = get_logger(__name__)

# When a message's events run alone, this many run side by side, each on its own connection.
CONCURRENT_ITEMS = 4


@dataclass
class _BatchUnit(UnitOfWork):
    """The unit of one batch transaction: an aggregate's lock is taken once, however many
    of the batch's events lock it (it is held until the transaction ends anyway)."""

    held: set[str] = field(default_factory=set)

    async def lock(self, *keys: str) -> None:
        await super().lock(*(key for key in keys if key not in self.held))
        self.held.update(keys)


async def process_inbox_items(
    runtime: WorkerRuntime, handlers: HandlerRegistry, ids: list[int]
) -> None:
    """Apply the ids of one message together; if that fails, each alone."""
    if len(ids) > 1:
        try:
            await _apply(runtime, handlers, ids)
            return
        except Exception as error:
            log.info("inbox batch rolled back; its events run one by one", error=repr(error))
    gate = asyncio.Semaphore(CONCURRENT_ITEMS)

    async def one(inbox_id: int) -> None:
        async with gate:
            await process_inbox_item(runtime, handlers, inbox_id)

    await asyncio.gather(*(one(inbox_id) for inbox_id in ids))


async def process_inbox_item(
    runtime: WorkerRuntime, handlers: HandlerRegistry, inbox_id: int
) -> None:
    structlog.contextvars.bind_contextvars(inbox_id=inbox_id)
    try:
        await _apply(runtime, handlers, [inbox_id])
    except Exception as error:
        await _record_failure(runtime, inbox_id, error)


async def _apply(runtime: WorkerRuntime, handlers: HandlerRegistry, ids: list[int]) -> None:
    """Apply the pending rows among `ids` in one transaction, then send the commands decided."""
    async with runtime.pool.acquire() as conn:
        unit = _BatchUnit(conn)
        async with conn.transaction():
            outcomes: dict[InboxStatus, list[int]] = {}
            for row in await inbox_queue.take_pending(conn, ids):
                structlog.contextvars.bind_contextvars(inbox_id=row.id)
                handler = handlers.find((row.source, row.event_type))
                if handler is not None:
                    await handler(unit, row.payload)
                outcome = InboxStatus.DONE if handler is not None else InboxStatus.IGNORED
                outcomes.setdefault(outcome, []).append(row.id)
            for outcome, done in outcomes.items():
                await inbox_queue.mark_processed(conn, done, outcome)
    await runtime.courier.send_outbox(unit.outbox_ids)


async def _record_failure(runtime: WorkerRuntime, inbox_id: int, error: Exception) -> None:
    failure = classify(error)
    async with runtime.pool.acquire() as conn, conn.transaction():
        row = await inbox_queue.take_failed(conn, inbox_id, failure.spends_attempt)
        if row is None:
            return
        item = FailedItem(
            Queue.INBOX, inbox_id, row.source, row.event_type, row.attempts, row.payload
        )
        verdict = await settle(conn, item, failure)
    if not isinstance(verdict, RetryAt):
        log.warning("inbox item dead-lettered", error=failure.summary, attempts=row.attempts)
        return
    log.warning(
        "inbox item will run again", kind=failure.kind, error=failure.summary, attempts=row.attempts
    )
    await runtime.courier.send_inbox_later(inbox_id, delay_ms(verdict.at))
