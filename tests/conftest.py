"""Test infrastructure: real Postgres and Redis, one fresh database per test session.

DATABASE_URL / REDIS_URL point at servers to use (CI, this machine's services); when
they are unset, embedded servers are started for the session. Each session creates
its own database (dropped afterwards) and its own Redis key prefix, so test runs
never see each other.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from service.adapters.api_tokens import create_token
from service.adapters.embedded import EmbeddedPostgres, EmbeddedRedis
from service.adapters.postgres import create_pool
from service.app import create_app
from service.config import Settings, load_settings
from service.sandbox.serve import serving
from tests.integration.booking_support import sandbox_zoom
from tests.support import (
    Servers,
    ServiceProcess,
    Spawn,
    fresh_database,
    service_environment,
)

FAULT_TESTS = Path(__file__).parent / "fault"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/fault/ kills processes or waits for recovery: mark it slow,
    so `-m "not slow"` gives a quick run."""
    for item in items:
        if FAULT_TESTS in item.path.parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    """The session's Postgres and Redis: the given ones, else embedded ones.

    Embedded data lives in its own temporary folder, not under pytest's: Postgres runs as
    another system user, and pytest tightens the permissions of its own tree whenever a
    new session starts, which would pull the data folder out from under a running server.
    """
    embedded_pg = embedded_redis = None
    dsn = os.environ.get("DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL")
    base = Path(tempfile.mkdtemp(prefix="webinar-sync-test-"))
    if not dsn:
        embedded_pg = EmbeddedPostgres(base / "postgres")
        dsn = embedded_pg.start()
    if not redis_url:
        embedded_redis = EmbeddedRedis(base / "redis")
        redis_url = embedded_redis.start()
    try:
        yield Servers(dsn, redis_url)
    finally:
        if embedded_redis:
            embedded_redis.stop()
        if embedded_pg:
            embedded_pg.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(servers: Servers) -> Iterator[str]:
    with fresh_database(servers) as dsn:
        yield dsn


@pytest.fixture(scope="session")
def service_env(database_url: str, servers: Servers) -> dict[str, str]:
    return service_environment(database_url, servers.redis_url)


@pytest.fixture(scope="session")
def settings(service_env: dict[str, str]) -> Settings:
    return load_settings(service_env)


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url)
    yield pool
    await pool.close()


@pytest.fixture
async def redis(servers: Servers) -> AsyncIterator[Redis]:
    """A client of the session's Redis, for tests of Redis-backed adapters."""
    client: Redis = Redis.from_url(servers.redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def prefix(redis: Redis) -> AsyncIterator[str]:
    """A Redis key prefix of this test alone; its keys are deleted afterwards."""
    key_prefix = f"test:{uuid.uuid4().hex}:"
    yield key_prefix
    keys = [key async for key in redis.scan_iter(match=f"{key_prefix}*")]
    if keys:
        await redis.delete(*keys)


@pytest.fixture(scope="session")
def api_url(settings: Settings) -> Iterator[str]:
    with serving(create_app(settings)) as url:
        yield url


@pytest.fixture
async def http(api_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api_url, timeout=10) as client:
        yield client


async def _token(pool: asyncpg.Pool, role: str) -> str:
    async with pool.acquire() as conn:
        return await create_token(conn, f"{role}-{secrets.token_hex(4)}", role)


@pytest.fixture(scope="session")
async def admin_token(pool: asyncpg.Pool) -> str:
    return await _token(pool, "admin")


@pytest.fixture(scope="session")
async def ops_token(pool: asyncpg.Pool) -> str:
    return await _token(pool, "ops")


@pytest.fixture
async def admin(api_url: str, admin_token: str) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(base_url=api_url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture
async def ops(api_url: str, ops_token: str) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {ops_token}"}
    async with httpx.AsyncClient(base_url=api_url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture
def spawn(service_env: dict[str, str]) -> Iterator[Spawn]:
    """Start webinar-sync processes for one test; all are stopped afterwards."""
    started: list[ServiceProcess] = []

    def start(*args: str, env: dict[str, str] | None = None) -> ServiceProcess:
        process = ServiceProcess(list(args), env or service_env).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture(scope="module")
def zoom_sandbox_url() -> Iterator[str]:
    """A sandbox Zoom of the module's own, served in this process."""
    with sandbox_zoom() as url:
        yield url
