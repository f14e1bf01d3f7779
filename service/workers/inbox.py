"""Processing one inbox row: find its handler, apply it once, record the outcome.

The row is locked FOR UPDATE for the whole handler run, so a message delivered twice
(Redis redelivery, the relay) is processed once; the status check makes it a no-op
the second time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
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

# Items of one message run side by side, each on its own pooled connection.
CONCURRENT_ITEMS = 4


async def process_inbox_items(
    runtime: WorkerRuntime, handlers: HandlerRegistry, ids: list[int]
) -> None:
    """Process the ids of one message (events committed together at ingress)."""
    gate = asyncio.Semaphore(CONCURRENT_ITEMS)

    async def one(inbox_id: int) -> None:
        async with gate:
            await process_inbox_item(runtime, handlers, inbox_id)

    await asyncio.gather(*(one(inbox_id) for inbox_id in ids))


async def process_inbox_item(
    runtime: WorkerRuntime, handlers: HandlerRegistry, inbox_id: int
) -> None:
    structlog.contextvars.bind_contextvars(inbox_id=inbox_id)
    async with runtime.pool.acquire() as conn:
        unit = UnitOfWork(conn)
        try:
            async with conn.transaction():
                row = await inbox_queue.take_pending(conn, inbox_id)
                if row is None:
                    return  # done already, or dead: a duplicate message
                handler = handlers.find((row.source, row.event_type))
                if handler is not None:
                    await handler(unit, row.payload)
                outcome = InboxStatus.DONE if handler is not None else InboxStatus.IGNORED
                await inbox_queue.mark_processed(conn, inbox_id, outcome)
        except Exception as error:
            await _record_failure(runtime, inbox_id, error)
            return
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
        log.warning(
            "inbox item dead-lettered", error_class=failure.error_class, attempts=row.attempts
        )
        return
    log.warning(
        "inbox item will run again", kind=failure.kind, error=failure.summary, attempts=row.attempts
    )
    await runtime.courier.send_inbox_later(inbox_id, delay_ms(verdict.at))
