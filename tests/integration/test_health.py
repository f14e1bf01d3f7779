"""/healthz and /readyz as CONTRACT §5 "Health" says."""

from __future__ import annotations

import httpx

from service.app import create_app
from service.config import load_settings
from service.sandbox.serve import serving
from tests.support import Servers, create_database, drop_database, service_environment


async def test_healthz_and_readyz_when_all_is_well(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "postgres": "ok", "migrations": "ok", "redis": "ok"}


async def test_readyz_is_503_while_migrations_are_pending(servers: Servers) -> None:
    dsn = await create_database(servers, migrated=False)
    try:
        settings = load_settings(service_environment(dsn, servers.redis_url))
        with serving(create_app(settings)) as url:
            response = httpx.get(f"{url}/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["postgres"] == "ok"
        assert body["migrations"].startswith("pending: 001_platform.sql")
    finally:
        await drop_database(servers, dsn)


async def test_readyz_stays_200_with_redis_down_and_says_so(database_url: str) -> None:
    dead_redis = "redis://127.0.0.1:1/0"
    settings = load_settings(service_environment(database_url, dead_redis))
    with serving(create_app(settings)) as url:
        response = httpx.get(f"{url}/readyz", timeout=10)
    assert response.status_code == 200
    assert response.json()["redis"].startswith("unreachable")


async def test_api_starts_without_postgres_and_is_not_ready(servers: Servers) -> None:
    settings = load_settings(
        service_environment("postgresql://postgres@127.0.0.1:1/none", servers.redis_url)
    )
    with serving(create_app(settings)) as url:
        alive = httpx.get(f"{url}/healthz")
        ready = httpx.get(f"{url}/readyz", timeout=10)
    assert alive.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["postgres"].startswith("unreachable")
