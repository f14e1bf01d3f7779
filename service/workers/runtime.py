"""What a worker process holds, built once inside its event loop (asyncpg pools are
bound to the loop that made them; Dramatiq's AsyncIO middleware runs one loop per process)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import asyncpg
import redis.asyncio as aioredis

from service.adapters.broker import Courier
from service.adapters.postgres import create_pool
from service.adapters.redis_client import create_redis
from service.adapters.zoom import ZoomClient
from service.adapters.zoom_connection import ZoomConnection, connect_zoom
from service.config import Settings
from service.workers.join_urls import JoinUrlPages


@dataclass
class WorkerRuntime:
    settings: Settings
    pool: asyncpg.Pool
    redis: aioredis.Redis
    courier: Courier
    zoom: ZoomClient | None = None  # None: Zoom not configured, its work waits
    zoom_connection: ZoomConnection | None = None
    join_urls: JoinUrlPages = field(default_factory=JoinUrlPages)


class LazyRuntime:
    def __init__(self, settings: Settings, courier: Courier) -> None:
        self.settings = settings
        self.courier = courier
        self._runtime: WorkerRuntime | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> WorkerRuntime:
        if self._runtime is None:
            async with self._lock:
                if self._runtime is None:
                    self._runtime = await self._build()
        return self._runtime

    async def _build(self) -> WorkerRuntime:
        database_url, redis_url = self.settings.require_services()
        pool = await create_pool(database_url, max_size=10)
        redis = create_redis(redis_url)
        zoom = connect_zoom(self.settings, pool, redis)
        return WorkerRuntime(
            settings=self.settings,
            pool=pool,
            redis=redis,
            courier=self.courier,
            zoom=zoom.client if zoom is not None else None,
            zoom_connection=zoom,
        )

    async def close(self) -> None:
        if self._runtime is not None:
            if self._runtime.zoom_connection is not None:
                await self._runtime.zoom_connection.close()
            await self._runtime.pool.close()
            await self._runtime.redis.aclose()
            self._runtime = None
