"""Retry bookkeeping of outbox commands against the one-waiting-command-per-subject rule."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from service.adapters.work_items import schedule_retry
from service.domain.queue_states import Queue


async def _command(conn: asyncpg.Connection, subject: str, status: str) -> int:
    outbox_id: int = await conn.fetchval(
        "INSERT INTO outbox (command, subject, status)"
        " VALUES ('sync_meeting', $1, $2) RETURNING id",
        subject,
        status,
    )
    return outbox_id


async def _status(conn: asyncpg.Connection, outbox_id: int) -> str:
    return str(await conn.fetchval("SELECT status FROM outbox WHERE id = $1", outbox_id))


async def test_a_retried_command_waits_again_when_nothing_else_waits(pool: asyncpg.Pool) -> None:
    subject = f"course:{uuid.uuid4().hex}"
    later = datetime.now(UTC) + timedelta(minutes=5)
    async with pool.acquire() as conn:
        running = await _command(conn, subject, "in_flight")
        await schedule_retry(conn, Queue.OUTBOX, running, later, "ReadTimeout")
        assert await _status(conn, running) == "pending"
        assert await conn.fetchval("SELECT not_before FROM outbox WHERE id = $1", running) == later


async def test_a_retried_command_yields_to_a_newer_one_waiting_for_the_same_subject(
    pool: asyncpg.Pool,
) -> None:
    subject = f"course:{uuid.uuid4().hex}"
    async with pool.acquire() as conn:
        running = await _command(conn, subject, "in_flight")
        newer = await _command(conn, subject, "pending")
        await schedule_retry(
            conn, Queue.OUTBOX, running, datetime.now(UTC), "deferred: daily limit"
        )
        assert (await _status(conn, running), await _status(conn, newer)) == ("done", "pending")
