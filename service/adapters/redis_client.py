"""Async Redis with short timeouts: a Redis outage must slow nothing down for long."""

from __future__ import annotations

import redis.asyncio as aioredis


def create_redis(url: str) -> aioredis.Redis:
    return aioredis.Redis.from_url(
        url, socket_timeout=2, socket_connect_timeout=1, health_check_interval=15
    )
