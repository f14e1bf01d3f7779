"""The events of one message are applied in one transaction; one that fails does not hold
back the others, and running the message again changes nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from service.adapters.broker import Courier, create_broker
from service.config import Settings
from service.sandbox.calendly_push import build_delivery
from service.workers.handlers import inbox_handlers
from service.workers.inbox import process_inbox_items
from service.workers.runtime import LazyRuntime, WorkerRuntime
from tests.integration.ingress_support import calendly_deliveries


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[WorkerRuntime]:
    broker = create_broker(settings.redis_url or "", settings.redis_key_prefix)
    lazy = LazyRuntime(settings, Courier(broker))
    try:
        yield await lazy.get()
    finally:
        await lazy.close()
        broker.close()


def _envelopes(count: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    deliveries = calendly_deliveries("invitee.created", count=count, group=count)
    return [json.loads(build_delivery(e, p, "key", now)[1]) for e, p in deliveries]


async def _store(pool: asyncpg.Pool, event_type: str, envelope: dict[str, Any]) -> int:
    async with pool.acquire() as conn:
        inbox_id: int = await conn.fetchval(
            "INSERT INTO inbox (source, event_type, dedupe_key, payload)"
            " VALUES ('calendly', $1, $2, $3) RETURNING id",
            event_type,
            uuid.uuid4().hex,
            envelope,
        )
    return inbox_id


async def _rows(pool: asyncpg.Pool, ids: list[int]) -> list[tuple[str, int]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT status, attempts FROM inbox WHERE id = ANY($1::bigint[]) ORDER BY id", ids
        )
    return [(row["status"], row["attempts"]) for row in rows]


async def test_a_failing_event_leaves_the_rest_of_its_message_applied(
    pool: asyncpg.Pool, runtime: WorkerRuntime
) -> None:
    first, second = _envelopes(2)
    broken = {**first, "payload": {}}
    ids = [
        await _store(pool, "invitee.created", first),
        await _store(pool, "invitee.created", broken),
        await _store(pool, "routing_form_submission.created", second),
        await _store(pool, "invitee.created", second),
    ]
    handlers = inbox_handlers()

    await process_inbox_items(runtime, handlers, ids)

    applied = [("done", 1), ("dead", 1), ("ignored", 1), ("done", 1)]
    assert await _rows(pool, ids) == applied
    async with pool.acquire() as conn:
        letter = await conn.fetchrow(
            "SELECT error_class, attempts FROM dead_letters WHERE queue = 'inbox' AND ref_id = $1",
            ids[1],
        )
        stored = await conn.fetchval(
            "SELECT count(*) FROM calendly_attendees WHERE uri = ANY($1::text[])",
            [first["payload"]["uri"], second["payload"]["uri"]],
        )
    assert letter is not None and (letter["error_class"], letter["attempts"]) == ("Terminal", 1)
    assert stored == 2

    await process_inbox_items(runtime, handlers, ids)  # the same message, delivered again

    assert await _rows(pool, ids) == applied
