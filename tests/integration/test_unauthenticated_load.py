"""Load anyone can send costs the database little: /metrics reads only bounded things, bad
bearer tokens share one reload of the live tokens, and ingress has connections of its own."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest

from service.adapters import metrics_reads
from service.adapters.integration_log import PostgresCallRecorder
from service.adapters.vendor_calls import VendorCall
from service.app import create_app
from service.config import load_settings
from service.sandbox.serve import serving
from tests.integration.ingress_support import (
    calendly_body,
    no_inbox_rows_left,  # noqa: F401 - autouse: the module's inbox rows are removed
    sign_calendly,
)
from tests.support import eventually

GROWING_TABLES = ("inbox", "outbox", "dead_letters", "work_attempts", "integration_log")


@pytest.mark.parametrize("query", [metrics_reads.STATE, metrics_reads.DRIFT])
async def test_metrics_queries_never_scan_a_growing_table(pool: asyncpg.Pool, query: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL enable_seqscan = off")  # a seq scan left = no index path
        plan = "\n".join(r[0] for r in await conn.fetch(f"EXPLAIN {query}"))
    scans = [line for line in plan.splitlines() if "Seq Scan" in line]
    assert not [s for s in scans if any(f" on {t}" in s for t in GROWING_TABLES)], plan


@pytest.fixture
def own_api(service_env: dict[str, str]) -> Iterator[str]:
    """An API of this test alone: its token copy and pools start empty."""
    with serving(create_app(load_settings(service_env))) as url:
        yield url


@pytest.fixture
async def client(own_api: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=own_api, timeout=30) as http:
        yield http


async def waiting_on(pool: asyncpg.Pool, table: str) -> int:
    count: int = await pool.fetchval(
        """
        SELECT count(*) FROM pg_stat_activity
         WHERE wait_event_type = 'Lock' AND query ILIKE '%' || $1 || '%'
           AND pid <> pg_backend_pid()
        """,
        table,
    )
    return count


@asynccontextmanager
async def table_locked(pool: asyncpg.Pool, table: str) -> AsyncIterator[None]:
    """Nobody else can read `table` until the block ends (the lock is rolled back then)."""
    async with pool.acquire() as conn:
        locked = conn.transaction()
        await locked.start()
        await conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            await locked.rollback()


async def test_bad_tokens_share_one_query_and_good_ones_need_none(
    client: httpx.AsyncClient, pool: asyncpg.Pool, admin_token: str
) -> None:
    admin = {"Authorization": f"Bearer {admin_token}"}
    assert (await client.get("/api/v1/notifications", headers=admin)).status_code == 200
    async with table_locked(pool, "api_tokens"):
        # A known token is served from the copy while nobody can read the table.
        good = await client.get("/api/v1/notifications", headers=admin)
        assert good.status_code == 200
        bad = [
            asyncio.create_task(
                client.get(
                    "/api/v1/notifications",
                    headers={"Authorization": f"Bearer wst_{secrets.token_hex(16)}"},
                )
            )
            for _ in range(40)
        ]
        await eventually(lambda: waiting_on(pool, "api_tokens"))
        observed_until = time.monotonic() + 1.0
        while time.monotonic() < observed_until:  # 40 bad tokens, one query between them
            assert await waiting_on(pool, "api_tokens") == 1
            await asyncio.sleep(0.05)  # sampling interval of the observed second
    assert [r.status_code for r in await asyncio.gather(*bad)] == [401] * 40


async def test_ingress_commits_while_other_traffic_holds_every_api_connection(
    client: httpx.AsyncClient, pool: asyncpg.Pool, admin_token: str
) -> None:
    admin = {"Authorization": f"Bearer {admin_token}"}
    assert (await client.get("/api/v1/notifications", headers=admin)).status_code == 200
    async with table_locked(pool, "notifications"):
        stuck = [
            asyncio.create_task(client.get("/api/v1/notifications", headers=admin))
            for _ in range(30)
        ]

        async def pool_exhausted() -> bool:
            return await waiting_on(pool, "notifications") >= 18

        await eventually(pool_exhausted)
        body = calendly_body("during a flood of admin reads")
        started = time.monotonic()
        response = await client.post(
            "/webhooks/calendly", content=body, headers=sign_calendly(body)
        )
        assert response.status_code == 202
        assert time.monotonic() - started < 5
    assert {r.status_code for r in await asyncio.gather(*stuck)} == {200}


def vendor_calls(metrics: str, status: str) -> float:
    prefix = f'webinar_sync_vendor_calls_total{{status="{status}",system="zoom"}}'
    return next((float(x.split()[-1]) for x in metrics.splitlines() if x.startswith(prefix)), 0)


async def test_vendor_call_counts_grow_as_calls_are_logged_and_survive_pruning(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    before = vendor_calls((await client.get("/metrics")).text, "418")
    recorder = PostgresCallRecorder(pool)
    for _ in range(3):
        await recorder.record(VendorCall("zoom", "GET", "/v2/teapot", 418, 1.0))
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM integration_log WHERE path = '/v2/teapot'")

    async def counted() -> bool:  # /metrics reads Postgres at most every few seconds
        return vendor_calls((await client.get("/metrics")).text, "418") == before + 3

    await eventually(counted)
