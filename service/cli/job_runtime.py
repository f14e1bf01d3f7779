"""What a job run from the command line needs, built from the adapters: the pool, a courier to
hand the outbox rows it writes to running workers, and the Zoom client (None when Zoom is not
configured). It satisfies `service.services.resources.JobResources`, as a worker's runtime does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import asyncpg

from service.adapters.broker import Courier, create_broker
from service.adapters.postgres import create_pool
from service.adapters.redis_client import create_redis
from service.adapters.zoom import ZoomClient
from service.adapters.zoom_connection import connect_zoom
from service.config import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class CliRuntime:
    settings: Settings
    pool: asyncpg.Pool
    courier: Courier
    zoom: ZoomClient | None


def with_runtime(settings: Settings, work: Callable[[CliRuntime], Awaitable[T]]) -> T:
    """Run `work` in a fresh event loop with a runtime, closed again afterwards."""
    database_url, redis_url = settings.require_services()
    broker = create_broker(redis_url, settings.redis_key_prefix)

    async def main() -> T:
        pool = await create_pool(database_url, max_size=4)
        redis = create_redis(redis_url)
        zoom = connect_zoom(settings, pool, redis)
        try:
            client = zoom.client if zoom is not None else None
            return await work(CliRuntime(settings, pool, Courier(broker), client))
        finally:
            if zoom is not None:
                await zoom.close()
            await pool.close()
            await redis.aclose()

    try:
        return asyncio.run(main())
    finally:
        broker.close()


def print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))
