"""Shared by the Zoom fault tests: the sandbox Zoom, worker processes, and what Zoom saw."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import asyncpg
import httpx

from tests.integration.booking_support import Sandbox, send_event
from tests.support import ServiceProcess, Spawn, eventually


def start_workers(spawn: Spawn, env: dict[str, str], count: int = 1) -> list[ServiceProcess]:
    workers = [spawn("worker", "--threads", "4", env=env) for _ in range(count)]
    spawn("scheduler", env=env)  # the relay: re-sends lost messages, expires dead leases
    return workers


async def send_all(http: httpx.AsyncClient, *events: dict[str, Any]) -> None:
    responses = await asyncio.gather(*(send_event(http, e) for e in events))
    assert all(r.status_code == 202 for r in responses), [r.text for r in responses]


async def all_approved(pool: asyncpg.Pool, booking_ids: list[str], within: float = 30) -> None:
    async def check() -> bool:
        rows = await pool.fetch(
            "SELECT zoom_status, state FROM zoom_registrants WHERE booking_id = ANY($1)",
            booking_ids,
        )
        done = [r for r in rows if r["zoom_status"] == "approved" and r["state"] == "done"]
        return len(done) == len(booking_ids)

    await eventually(check, within=within)


def registrant_adds(sandbox: Sandbox, meeting_id: int) -> list[dict[str, Any]]:
    return [
        c
        for c in sandbox.calls(meeting_id)
        if c["method"] == "POST" and c["path"].endswith("/registrants")
    ]


async def dead_letters_since(pool: asyncpg.Pool, since: datetime) -> int:
    count: int = await pool.fetchval(
        "SELECT count(*) FROM dead_letters WHERE queue = 'outbox' AND created_at >= $1", since
    )
    return count
