"""Executing one outbox command: claim it, run it outside any transaction, record the outcome.

Row states: `pending` → `in_flight` (claimed; `updated_at` starts the lease the relay expires if
this process dies) → `done`, or back to `pending` with a later `not_before` (retry, deferral),
or `dead` with a dead letter (docs/architecture.md: "Failures are classified"). While the
command runs, its lease is renewed every third of OUTBOX_LEASE_SECONDS, so a slow command (a
long rate-limit wait) is never handed to a second worker; each claim gets a new `claim` token,
and only its holder may end the run:

- `ZoomDeferred` (daily limit, credentials missing): waits until `until`; no attempt is spent.
- a retryable failure (network, 5xx, per-second 429, an answer that was lost, a bug):
  one attempt spent, exponential back-off with jitter (or Zoom's `Retry-After`).
- `ZoomTerminal` / `Terminal` or attempts exhausted: a dead letter with Zoom's code and message,
  and the command's `on_dead` puts the error on the course or booking and notifies a person.

Commands for one subject (e.g. `course:10062`) never run at the same time: a claim waits until
the subject has nothing in flight, so a create and a delete of one meeting can't cross.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from service.adapters.postgres import Connection
from service.adapters.work_items import bury, record_attempt, schedule_retry
from service.adapters.zoom import ZoomDeferred, ZoomRetryable, ZoomTerminal
from service.logs import get_logger
from service.services.unit_of_work import UnitOfWork
from service.workers.failures import MAX_ATTEMPTS, Terminal, backoff, describe
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


CommandTable = dict[str, OutboxCommand]


async def execute_outbox_item(
    runtime: WorkerRuntime, commands: CommandTable, outbox_id: int
) -> None:
    structlog.contextvars.bind_contextvars(outbox_id=outbox_id)
    item = await _claim(runtime, outbox_id)
    if item is None:
        return
    command = commands.get(item.command)
    try:
        if command is None:
            raise Terminal(f"no executor for outbox command {item.command!r}")
        async with _lease_kept(runtime, item):
            await command.run(runtime, item)
    except ZoomDeferred as deferral:
        await _defer(runtime, item, deferral)
    except Exception as error:  # every failure is classified and kept; nothing escapes to Dramatiq
        await _record_failure(runtime, item, command, error)
    else:
        async with runtime.pool.acquire() as conn:
            await conn.execute(
                """
                UPDATE outbox SET status = 'done', last_error = NULL, updated_at = now()
                 WHERE id = $1 AND status = 'in_flight' AND claim = $2
                """,
                item.id,
                item.claim,
            )


_RENEW = """
UPDATE outbox SET updated_at = now() WHERE id = $1 AND status = 'in_flight' AND claim = $2
"""


@asynccontextmanager
async def _lease_kept(runtime: WorkerRuntime, item: OutboxItem) -> AsyncIterator[None]:
    """Renew the lease while the body runs; a worker that dies stops renewing."""
    every = runtime.settings.outbox_lease_seconds / 3

    async def renew() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                async with runtime.pool.acquire() as conn:
                    status = await conn.execute(_RENEW, item.id, item.claim)
            except Exception as error:  # the next renewal tries again; the lease has slack
                log.warning("outbox lease not renewed", error=repr(error))
                continue
            if status.endswith(" 0"):
                log.warning("outbox lease lost: the command is no longer ours")
                return

    renewal = asyncio.create_task(renew(), name=f"lease-{item.id}")
    try:
        yield
    finally:
        renewal.cancel()
        await asyncio.gather(renewal, return_exceptions=True)


async def _still_ours(conn: Connection, item: OutboxItem) -> bool:
    """Lock the row if this run still holds it (inside the caller's transaction)."""
    held = await conn.fetchval(
        "SELECT true FROM outbox WHERE id = $1 AND status = 'in_flight' AND claim = $2 FOR UPDATE",
        item.id,
        item.claim,
    )
    return bool(held)


async def _claim(runtime: WorkerRuntime, outbox_id: int) -> OutboxItem | None:
    """Take the row in flight if it is due and its subject is idle; else leave it for later."""
    async with runtime.pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            """
            SELECT id, command, subject, payload, cause, attempts, not_before <= now() AS due
              FROM outbox WHERE id = $1 AND status = 'pending' FOR UPDATE
            """,
            outbox_id,
        )
        if row is None or not row["due"]:
            return None  # done, dead or claimed already; or a later message / the relay brings it
        await UnitOfWork(conn).lock(f"outbox:{row['subject']}")
        busy = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE subject = $1 AND status = 'in_flight')",
            row["subject"],
        )
        if busy:
            await conn.execute(
                "UPDATE outbox SET not_before = now() + $2 WHERE id = $1",
                outbox_id,
                BUSY_SUBJECT_DELAY,
            )
        else:
            claim = await conn.fetchval(
                """
                UPDATE outbox SET status = 'in_flight', updated_at = now(),
                                  claim = gen_random_uuid()
                 WHERE id = $1 RETURNING claim
                """,
                outbox_id,
            )
    if busy:
        await runtime.courier.send_outbox(
            [outbox_id], _delay_ms(datetime.now(UTC) + BUSY_SUBJECT_DELAY)
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


async def _defer(runtime: WorkerRuntime, item: OutboxItem, deferral: ZoomDeferred) -> None:
    async with runtime.pool.acquire() as conn, conn.transaction():
        if not await _still_ours(conn, item):
            return  # the lease expired meanwhile: the row is someone else's now
        await schedule_retry(conn, "outbox", item.id, deferral.until, f"deferred: {deferral}")
    log.info("outbox command deferred", command=item.command, until=deferral.until.isoformat())
    await runtime.courier.send_outbox([item.id], _delay_ms(deferral.until))


async def _record_failure(
    runtime: WorkerRuntime, item: OutboxItem, command: OutboxCommand | None, error: Exception
) -> None:
    described = describe(error)
    async with runtime.pool.acquire() as conn, conn.transaction():
        attempts = await conn.fetchval(
            """
            UPDATE outbox SET attempts = attempts + 1, updated_at = now()
             WHERE id = $1 AND status = 'in_flight' AND claim = $2 RETURNING attempts
            """,
            item.id,
            item.claim,
        )
        if attempts is None:
            return  # the lease expired meanwhile: the row is someone else's now
        await record_attempt(conn, "outbox", item.id, attempts, described)
        if isinstance(error, ZoomTerminal | Terminal) or attempts >= MAX_ATTEMPTS:
            await bury(
                conn,
                queue="outbox",
                ref_id=item.id,
                source=command.source if command is not None else "zoom",
                type_=item.command,
                error=described,
                attempts=attempts,
                payload={"subject": item.subject, "payload": item.payload, "cause": item.cause},
            )
            if command is not None:
                await command.on_dead(UnitOfWork(conn), item, error)
            log.warning("outbox command dead-lettered", command=item.command, error=described[1])
            return
        until = datetime.now(UTC) + _retry_wait(error, attempts)
        await schedule_retry(conn, "outbox", item.id, until, f"{described[0]}: {described[1]}")
    log.warning("outbox command will be retried", command=item.command, error=described[1])
    await runtime.courier.send_outbox([item.id], _delay_ms(until))


def _retry_wait(error: Exception, attempts: int) -> timedelta:
    if isinstance(error, ZoomRetryable) and error.retry_after is not None:
        return timedelta(seconds=error.retry_after)
    return backoff(attempts)


def _delay_ms(until: datetime) -> int:
    return max(0, int((until - datetime.now(UTC)).total_seconds() * 1000))
