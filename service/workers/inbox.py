"""Processing one inbox row: find its handler, apply it once, record the outcome.

The row is locked FOR UPDATE for the whole handler run, so a message delivered twice
(Redis redelivery, the relay) is processed once; the status check makes it a no-op
the second time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog

from service.adapters.work_items import bury, record_attempt, schedule_retry
from service.logs import get_logger
from service.services.unit_of_work import UnitOfWork
from service.workers.failures import MAX_ATTEMPTS, Deferred, Terminal, backoff, describe
from service.workers.runtime import WorkerRuntime

InboxHandler = Callable[[UnitOfWork, dict[str, Any]], Awaitable[None]]
HandlerTable = dict[tuple[str, str], InboxHandler]

log = get_logger(__name__)

# Items of one message run side by side, each on its own pooled connection.
CONCURRENT_ITEMS = 4


async def process_inbox_items(
    runtime: WorkerRuntime, handlers: HandlerTable, ids: list[int]
) -> None:
    """Process the ids of one message (events committed together at ingress)."""
    gate = asyncio.Semaphore(CONCURRENT_ITEMS)

    async def one(inbox_id: int) -> None:
        async with gate:
            await process_inbox_item(runtime, handlers, inbox_id)

    await asyncio.gather(*(one(inbox_id) for inbox_id in ids))


async def process_inbox_item(runtime: WorkerRuntime, handlers: HandlerTable, inbox_id: int) -> None:
    structlog.contextvars.bind_contextvars(inbox_id=inbox_id)
    async with runtime.pool.acquire() as conn:
        unit = UnitOfWork(conn)
        try:
            async with conn.transaction():
                row = await conn.fetchrow(
                    """
                    SELECT source, event_type, payload, attempts FROM inbox
                     WHERE id = $1 AND status = 'pending' FOR UPDATE
                    """,
                    inbox_id,
                )
                if row is None:
                    return  # done already, or dead: a duplicate message
                handler = handlers.get((row["source"], row["event_type"]))
                if handler is not None:
                    await handler(unit, row["payload"])
                await conn.execute(
                    """
                    UPDATE inbox SET status = $2, processed_at = now(), attempts = attempts + 1
                     WHERE id = $1
                    """,
                    inbox_id,
                    "done" if handler is not None else "ignored",
                )
        except Exception as error:
            await _record_failure(runtime, inbox_id, error)
            return
    await runtime.courier.send_outbox(unit.outbox_ids)


async def _record_failure(runtime: WorkerRuntime, inbox_id: int, error: Exception) -> None:
    described = describe(error)
    async with runtime.pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            """
            UPDATE inbox SET attempts = attempts + 1 WHERE id = $1 AND status = 'pending'
            RETURNING source, event_type, payload, attempts
            """,
            inbox_id,
        )
        if row is None:
            return
        attempts = row["attempts"]
        await record_attempt(conn, "inbox", inbox_id, attempts, described)
        if isinstance(error, Terminal) or attempts >= MAX_ATTEMPTS:
            await bury(
                conn,
                queue="inbox",
                ref_id=inbox_id,
                source=row["source"],
                type_=row["event_type"],
                error=described,
                attempts=attempts,
                payload=row["payload"],
            )
            log.warning("inbox item dead-lettered", error_class=described[0], attempts=attempts)
            return
        until = (
            error.until if isinstance(error, Deferred) else datetime.now(UTC) + backoff(attempts)
        )
        await schedule_retry(conn, "inbox", inbox_id, until, f"{described[0]}: {described[1]}")
    log.warning("inbox item will be retried", error_class=described[0], attempts=attempts)
    delay_ms = max(0, int((until - datetime.now(UTC)).total_seconds() * 1000))
    await runtime.courier.send_inbox_later(inbox_id, delay_ms)
