"""Executing one outbox command: claim it, run it outside any transaction, record the outcome.

Row states: `pending` → `in_flight` (claimed; `updated_at` starts the lease the relay expires if
this process dies) → `done`, or back to `pending` with a later `not_before` (retry, deferral),
or `dead` with a dead letter (docs/architecture.md: "Failures are classified"). While the
command runs, its lease is renewed every third of OUTBOX_LEASE_SECONDS, so a slow command (a
long rate-limit wait) is never handed to a second worker; each claim gets a new `claim` token,
and only its holder may end the run:

Failures follow the one policy (`service/workers/failures.py`): a deferral waits without
spending an attempt, a transient failure backs off, a terminal one or the last attempt
opens a dead letter, and the command's `on_dead` puts the error on the course or booking
and notifies a person.

Commands for one subject (e.g. `course:10062`) never run at the same time: a claim waits until
the subject has nothing in flight, so a create and a delete of one meeting can't cross.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from service.adapters import outbox_queue
from service.domain.failure_policy import RetryAt
from service.domain.queue_states import Queue
from service.logs import get_logger
from service.services.unit_of_work import UnitOfWork
from service.workers.failures import FailedItem, classify, delay_ms, settle
from service.workers.registry import Registry
from service.workers.runtime import WorkerRuntime

log = get_logger(__name__)

BUSY_SUBJECT_DELAY = timedelta(seconds=1)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    command: str
    subject: str
    payload: dict[str, Any]
    cause: dict[str, str]
    attempts: int
    claim: uuid.UUID


@dataclass(frozen=True)
class OutboxCommand:
    """`run` does the work (and its own short transactions); `on_dead` reports a final failure."""

    run: Callable[[WorkerRuntime, OutboxItem], Awaitable[None]]
    on_dead: Callable[[UnitOfWork, OutboxItem, Exception], Awaitable[None]]
    source: str = "zoom"  # the vendor it calls: the dead letter's `source`


CommandTable = Mapping[str, OutboxCommand]  # one area's commands, registered together
CommandRegistry = Registry[str, OutboxCommand]


async def execute_outbox_item(
    runtime: WorkerRuntime, commands: CommandRegistry, outbox_id: int
) -> None:
    structlog.contextvars.bind_contextvars(outbox_id=outbox_id)
    item = await _claim(runtime, outbox_id)
    if item is None:
        return
    command: OutboxCommand | None = None
    try:
        command = commands.lookup(item.command)
        async with _lease_kept(runtime, item):
            await command.run(runtime, item)
    except Exception as error:  # every failure is classified and kept; nothing escapes to Dramatiq
        await _record_failure(runtime, item, command, error)
    else:
        async with runtime.pool.acquire() as conn:
            await outbox_queue.mark_done(conn, item.id, item.claim)


@asynccontextmanager
async def _lease_kept(runtime: WorkerRuntime, item: OutboxItem) -> AsyncIterator[None]:
    """Renew the lease while the body runs; a worker that dies stops renewing."""
    every = runtime.settings.outbox_lease_seconds / 3

    async def renew() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                async with runtime.pool.acquire() as conn:
                    ours = await outbox_queue.renew_lease(conn, item.id, item.claim)
            except Exception as error:  # the next renewal tries again; the lease has slack
                log.warning("outbox lease not renewed", error=repr(error))
                continue
            if not ours:
                log.warning("outbox lease lost: the command is no longer ours")
                return

    renewal = asyncio.create_task(renew(), name=f"lease-{item.id}")
    try:
        yield
    finally:
        renewal.cancel()
        await asyncio.gather(renewal, return_exceptions=True)


async def _claim(runtime: WorkerRuntime, outbox_id: int) -> OutboxItem | None:
    """Take the row in flight if it is due and its subject is idle; else leave it for later."""
    async with runtime.pool.acquire() as conn, conn.transaction():
        row = await outbox_queue.take_pending(conn, outbox_id)
        if row is None or not row["due"]:
            return None  # done, dead or claimed already; or a later message / the relay brings it
        await UnitOfWork(conn).lock(f"outbox:{row['subject']}")
        busy = await outbox_queue.subject_busy(conn, row["subject"])
        if busy:
            await outbox_queue.postpone(conn, outbox_id, BUSY_SUBJECT_DELAY)
        else:
            claim = await outbox_queue.mark_in_flight(conn, outbox_id)
    if busy:
        await runtime.courier.send_outbox(
            [outbox_id], delay_ms(datetime.now(UTC) + BUSY_SUBJECT_DELAY)
        )
        return None
    return OutboxItem(
        id=row["id"],
        command=row["command"],
        subject=row["subject"],
        payload=row["payload"],
        cause=row["cause"],
        attempts=row["attempts"],
        claim=claim,
    )


async def _record_failure(
    runtime: WorkerRuntime, item: OutboxItem, command: OutboxCommand | None, error: Exception
) -> None:
    failure = classify(error)
    async with runtime.pool.acquire() as conn, conn.transaction():
        attempts = await outbox_queue.take_failed(conn, item.id, item.claim, failure.spends_attempt)
        if attempts is None:
            return  # the lease expired meanwhile: the row is someone else's now
        failed = FailedItem(
            Queue.OUTBOX,
            item.id,
            source=command.source if command is not None else "zoom",
            type=item.command,
            attempts=attempts,
            payload={"subject": item.subject, "payload": item.payload, "cause": item.cause},
        )
        verdict = await settle(conn, failed, failure)
        if not isinstance(verdict, RetryAt):
            if command is not None:
                await command.on_dead(UnitOfWork(conn), item, error)
            log.warning("outbox command dead-lettered", command=item.command, error=failure.message)
            return
    log.warning(
        "outbox command will run again",
        command=item.command,
        kind=failure.kind,
        error=failure.summary,
    )
    await runtime.courier.send_outbox([item.id], delay_ms(verdict.at))
