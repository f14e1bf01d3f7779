"""A crash loses nothing that was acknowledged: Redis down, worker SIGKILLed.

docs/architecture.md: "Redis is a courier, Postgres the truth".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest

from service.adapters.embedded import EmbeddedRedis
from service.app import create_app
from service.config import load_settings
from service.sandbox.calendly_push import build_delivery, scenario
from service.sandbox.serve import serving
from tests.support import CALENDLY_TEST_KEY, ServiceProcess, eventually, service_environment


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    redis = EmbeddedRedis(tmp_path / "redis")
    redis.start()
    yield redis
    redis.stop()


def _deliveries(count: int) -> list[tuple[dict[str, str], bytes, str]]:
    now = datetime.now(UTC)
    pushes = scenario(
        "invitee.created", count=count, group=10, reschedule=False, location="zoom", now=now
    )
    signed = []
    for event, payload in pushes:
        headers, body = build_delivery(event, payload, CALENDLY_TEST_KEY, now)
        signed.append((headers, body, payload["uri"]))
    return signed


async def _state(pool: asyncpg.Pool, uris: list[str]) -> tuple[int, int, int]:
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            """
            SELECT (SELECT count(*) FROM calendly_attendees
                     WHERE uri = ANY($1::text[])) AS attendees,
                   (SELECT count(*) FROM inbox WHERE status = 'done'
                       AND payload -> 'payload' ->> 'uri' = ANY($1::text[])) AS done,
                   (SELECT count(*) FROM inbox WHERE status = 'dead') AS dead
            """,
            uris,
        )
    assert row is not None
    return row["attendees"], row["done"], row["dead"]


async def test_webhooks_while_redis_is_down_are_acknowledged_and_processed_after_restart(
    database_url: str, pool: asyncpg.Pool, own_redis: EmbeddedRedis
) -> None:
    env = service_environment(database_url, own_redis.url)
    port = own_redis.port
    assert port is not None
    deliveries = _deliveries(20)
    uris = [uri for _, _, uri in deliveries]
    worker = ServiceProcess(["worker", "--threads", "4"], env).start()
    scheduler = ServiceProcess(["scheduler"], env).start()
    try:
        with serving(create_app(load_settings(env))) as url:
            own_redis.stop()
            async with httpx.AsyncClient(base_url=url, timeout=15) as http:
                statuses = [
                    (
                        await http.post("/webhooks/calendly", content=body, headers=headers)
                    ).status_code
                    for headers, body, _ in deliveries
                ]
                ready = (await http.get("/readyz")).json()
            assert statuses == [202] * len(deliveries)
            assert ready["redis"].startswith("unreachable") and ready["postgres"] == "ok"
            # Redis comes back empty (it keeps nothing on disk): the relay re-sends from Postgres.
            own_redis.start(port=port)
            await eventually(lambda: _ok(pool, uris), within=60)
    finally:
        worker.stop()
        scheduler.stop()


async def _ok(pool: asyncpg.Pool, uris: list[str]) -> bool:
    attendees, done, dead = await _state(pool, uris)
    return attendees == len(uris) and done == len(uris) and dead == 0


async def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(
    database_url: str, pool: asyncpg.Pool, service_env: dict[str, str], api_url: str
) -> None:
    deliveries = _deliveries(200)
    uris = [uri for _, _, uri in deliveries]
    worker = ServiceProcess(["worker", "--threads", "8"], service_env).start()
    scheduler = ServiceProcess(["scheduler"], service_env).start()
    try:
        async with httpx.AsyncClient(base_url=api_url, timeout=15) as http:
            for headers, body, _ in deliveries:
                response = await http.post("/webhooks/calendly", content=body, headers=headers)
                assert response.status_code == 202

        async def some_done() -> bool:
            _, done, _ = await _state(pool, uris)
            return 0 < done < len(uris)

        await eventually(some_done, within=30, interval=0.02)
        worker.kill()  # SIGKILL: messages it held are neither acked nor finished
        replacement = ServiceProcess(["worker", "--threads", "8"], service_env).start()
        try:
            await eventually(lambda: _ok(pool, uris), within=90)
        finally:
            replacement.stop()
        async with pool.acquire() as conn:
            doubled = await conn.fetchval(
                """
                SELECT count(*) FROM (SELECT uri FROM calendly_attendees WHERE uri = ANY($1::text[])
                                       GROUP BY uri HAVING count(*) > 1) d
                """,
                uris,
            )
        assert doubled == 0
    finally:
        worker.stop()
        scheduler.stop()
