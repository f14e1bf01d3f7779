"""Building the Zoom client a worker uses, from Settings: token, limiter, recorder, timeouts."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import httpx
import redis.asyncio as aioredis

from service.adapters.integration_log import PostgresCallRecorder
from service.adapters.zoom import RetryPolicy, SlidingWindowLimiter, TokenProvider, ZoomClient
from service.config import Settings

# A registrant add or a meeting create answers in well under a second; a call still open after
# this long is treated as lost (an ambiguous POST is looked up before it is sent again).
ZOOM_TIMEOUT = httpx.Timeout(10.0, connect=5.0)

# Few, short in-process retries: a command that keeps failing goes back to the outbox, whose
# back-off survives restarts, instead of holding a worker thread (and its lease) for minutes.
ZOOM_RETRY = RetryPolicy(
    attempts=3, backoff_initial_s=0.5, backoff_max_s=4.0, max_retry_after_s=5.0
)


@dataclass
class ZoomConnection:
    client: ZoomClient
    http: httpx.AsyncClient

    async def close(self) -> None:
        await self.http.aclose()


def connect_zoom(
    settings: Settings, pool: asyncpg.Pool, redis: aioredis.Redis
) -> ZoomConnection | None:
    """The shared-token, shared-limit client; None when Zoom is not configured (work waits)."""
    if not settings.zoom_configured:
        return None
    prefix = f"{settings.redis_key_prefix}:"
    http = httpx.AsyncClient(timeout=ZOOM_TIMEOUT, limits=httpx.Limits(max_connections=50))
    recorder = PostgresCallRecorder(pool)
    tokens = TokenProvider(
        redis,
        prefix,
        token_url=settings.zoom_oauth_token_url,
        account_id=settings.zoom_account_id,
        client_id=settings.zoom_client_id,
        client_secret=secret.get_secret_value()
        if (secret := settings.zoom_client_secret)
        else None,
        http=http,
        recorder=recorder,
    )
    limiter = SlidingWindowLimiter(
        redis, prefix, settings.zoom_rate_limits, margin_ms=settings.zoom_rate_margin_ms
    )
    client = ZoomClient(
        http, tokens, limiter, recorder, settings.zoom_api_base_url, retry=ZOOM_RETRY
    )
    return ZoomConnection(client, http)
