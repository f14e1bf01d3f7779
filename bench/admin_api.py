"""Benchmark of the info-webinar admin API and the Calendly sync (docs/benchmarks.md).

1. 500 Calendly events x 50 attendees in a throw-away database; p50/p99 of
   GET /api/v1/webinars/upcoming and GET /api/v1/calendly/events/{id} (50 attendees) through
   the whole stack (uvicorn, auth middleware, pool), sequential keep-alive requests. Baselines
   in the same run: GET /api/v1/calendly/sync/last (one trivial row through the same stack)
   and the raw SQL of both reads on a direct asyncpg connection.
2. The full sync of 250 events x 2 invitees from the sandbox Calendly: Calendly calls made
   versus the minimum number of pages (event pages + one invitee page per event + users/me).

    .venv/bin/python bench/admin_api.py [--requests 500] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx

from service.adapters.api_tokens import create_token
from service.adapters.migrations import migrate
from service.adapters.postgres import connect, create_pool
from service.adapters.sync_jobs import SyncRequest
from service.app import create_app
from service.config import load_settings
from service.sandbox.calendly import create_app as create_sandbox
from service.sandbox.serve import serving
from service.services.calendly_sync import request_sync
from service.workers.calendly_sync import run_sync

EVENTS, ATTENDEES = 500, 50
SYNC_EVENTS, SYNC_INVITEES = 250, 2
SANDBOX_TOKEN = "sandbox-calendly-token"  # noqa: S105 - the sandbox's well-known token
UPCOMING_SQL = """
SELECT e.*, c.* FROM (SELECT * FROM calendly_events
         WHERE status = 'active' AND end_time >= now() AND start_time < now() + interval '14 days'
         ORDER BY start_time, id LIMIT 51) e
 CROSS JOIN LATERAL (
       SELECT count(*), count(*) FILTER (WHERE a.attended IS NULL),
              count(*) FILTER (WHERE a.attended), count(*) FILTER (WHERE NOT a.attended)
         FROM calendly_attendees a WHERE a.event_id = e.id AND a.status = 'active') c
 ORDER BY e.start_time, e.id
"""
DETAIL_SQL = """
SELECT e.*, a.* FROM calendly_events e LEFT JOIN calendly_attendees a ON a.event_id = e.id
 WHERE e.id = $1 ORDER BY a.status, a.id
"""


def percentiles(samples: list[float], tail: int = 99) -> dict[str, float]:
    """n, median, the `tail` percentile (nearest rank) and max of millisecond samples."""
    ordered = sorted(samples)
    rank = min(len(ordered) - 1, math.ceil(tail / 100 * len(ordered)) - 1)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        f"p{tail}_ms": round(ordered[rank], 2),
        "max_ms": round(ordered[-1], 2),
    }


def machine() -> str:
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )


@asynccontextmanager
async def throwaway_database() -> AsyncIterator[tuple[str, dict[str, str]]]:
    """A migrated database of the benchmark's own (DATABASE_URL's server) and the
    environment of a service process using it; dropped afterwards."""
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    name = f"ws_bench_{uuid.uuid4().hex[:10]}"
    admin_conn = await asyncpg.connect(server)
    await admin_conn.execute(f'CREATE DATABASE "{name}"')
    dsn = server.rsplit("/", 1)[0] + f"/{name}"
    try:
        await migrate(dsn)
        yield dsn, {"DATABASE_URL": dsn, "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": name}
    finally:
        await admin_conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin_conn.close()


def command_line(
    doc: str | None, main: Callable[[int], Coroutine[Any, Any, dict[str, Any]]], requests: int
) -> None:
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--requests", type=int, default=requests)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    figures = asyncio.run(main(args.requests))
    print(json.dumps(figures, indent=2))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=2)


async def timed(call: Callable[[], Awaitable[object]], count: int) -> dict[str, float]:
    for _ in range(20):  # warm-up: pool connections, prepared statements
        await call()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


async def seed(conn: asyncpg.Connection) -> int:
    """500 events spread over the next 60 days (about 115 within 14 days), 50 attendees each."""
    await conn.execute(
        """
        INSERT INTO calendly_events (uri, name, status, start_time, end_time, location_kind,
                                     location_join_url, calendly_updated_at)
        SELECT 'https://api.calendly.com/scheduled_events/bench-' || g, 'TLr - Infowebinar',
               'active', now() + g * interval '3 hours', now() + g * interval '3 hours'
               + interval '1 hour', 'zoom', 'https://zoom.us/j/' || g, now()
          FROM generate_series(1, $1) g
        """,
        EVENTS,
    )
    await conn.execute(
        """
        INSERT INTO calendly_attendees (uri, event_id, name, email, status, attended)
        SELECT e.uri || '/invitees/' || g, e.id, 'Jürgen Teilnehmer ' || g,
               'jt' || e.id || '.' || g || '@example.com',
               CASE WHEN g % 10 = 0 THEN 'canceled' ELSE 'active' END,
               CASE g % 3 WHEN 0 THEN NULL WHEN 1 THEN true ELSE false END
          FROM calendly_events e, generate_series(1, $1) g
        """,
        ATTENDEES,
    )
    await conn.execute("ANALYZE calendly_events; ANALYZE calendly_attendees")
    event_id: int = await conn.fetchval("SELECT min(id) + 10 FROM calendly_events")
    return event_id


async def bench_api(dsn: str, env: dict[str, str], count: int) -> dict[str, Any]:
    conn = await connect(dsn)
    try:
        event_id = await seed(conn)
        token = await create_token(conn, f"bench-{uuid.uuid4().hex[:6]}", "admin")
        raw = {
            "upcoming_sql": await timed(lambda: conn.fetch(UPCOMING_SQL), count),
            "event_sql": await timed(lambda: conn.fetch(DETAIL_SQL, event_id), count),
        }
    finally:
        await conn.close()
    with serving(create_app(load_settings(env))) as url:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=url, headers=headers) as http:
            first = (await http.get("/api/v1/webinars/upcoming")).json()
            detail = (await http.get(f"/api/v1/calendly/events/{event_id}")).json()
            assert len(detail["attendees"]) == ATTENDEES, detail
            return {
                "upcoming_items_per_page": len(first["items"]),
                "attendees_in_event": len(detail["attendees"]),
                "baseline_sync_last": await timed(
                    lambda: http.get("/api/v1/calendly/sync/last"), count
                ),
                "upcoming": await timed(lambda: http.get("/api/v1/webinars/upcoming"), count),
                "event_with_attendees": await timed(
                    lambda: http.get(f"/api/v1/calendly/events/{event_id}"), count
                ),
                **raw,
            }


async def bench_sync(dsn: str, env: dict[str, str]) -> dict[str, Any]:
    with serving(create_sandbox()) as sandbox_url:
        async with httpx.AsyncClient(base_url=sandbox_url) as control:
            await control.post("/_sandbox/reset")
            await control.post(
                "/_sandbox/seed",
                json={"events": SYNC_EVENTS, "invitees_per_event": SYNC_INVITEES},
            )
            settings = load_settings(
                {**env, "CALENDLY_API_BASE_URL": sandbox_url, "CALENDLY_API_TOKEN": SANDBOX_TOKEN}
            )
            pool = await create_pool(dsn, max_size=4)
            try:
                job_id = await request_sync(pool, SyncRequest("full"), "bench")
                started = time.perf_counter()
                outcome = await run_sync(pool, settings, job_id)
                seconds = time.perf_counter() - started
            finally:
                await pool.close()
            calls = len((await control.get("/_sandbox/requests")).json()["requests"])
    assert outcome is not None and outcome.status == "succeeded", outcome
    minimum = math.ceil(SYNC_EVENTS / 100) + SYNC_EVENTS + 1  # + GET /users/me (discovery)
    return {
        "events": outcome.counts.synced,
        "new": outcome.counts.new,
        "calendly_calls": calls,
        "minimum_pages": minimum,
        "ratio": round(calls / minimum, 3),
        "seconds": round(seconds, 2),
    }


async def main(count: int) -> dict[str, Any]:
    async with throwaway_database() as (dsn, env):
        api = await bench_api(dsn, env, count)
        sync = await bench_sync(dsn, env)
    return {"machine": machine(), "api": api, "sync": sync}


if __name__ == "__main__":
    command_line(__doc__, main, requests=500)
