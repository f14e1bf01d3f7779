"""Liveness and readiness (CONTRACT §5 "Health").

Ready means: an event can be accepted — Postgres answers and its schema is current.
Redis is reported but does not decide readiness: ingress commits to Postgres and the
relay delivers once Redis is back.
"""

from __future__ import annotations

import asyncio

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse

from service.adapters.migrations import MigrationError, pending_migrations
from service.api.models.resources import Open
from service.api.operation import HEALTH, Operation, ok
from service.http.runtime import ApiRuntime, runtime

CHECK_TIMEOUT_S = 2.0


HEALTHZ = Operation("Process alive", HEALTH, ok(Open, "Alive"), public=True)


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


READYZ = Operation(
    "Ready to accept events (Postgres reachable, migrations current)",
    HEALTH,
    {**ok(Open, "Ready"), **ok(Open, "Not ready", 503)},
    public=True,
)


async def readyz(request: Request) -> JSONResponse:
    rt = runtime(request)
    postgres, migrations = await _check_postgres(rt.pool)
    redis = await _check_redis(rt)
    ready = postgres == "ok" and migrations == "ok"
    body = {
        "status": "ready" if ready else "not ready",
        "postgres": postgres,
        "migrations": migrations,
        "redis": redis,
    }
    return JSONResponse(body, status_code=200 if ready else 503)


async def _check_postgres(pool: asyncpg.Pool) -> tuple[str, str]:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            async with pool.acquire() as conn:
                pending = await pending_migrations(conn)
    except MigrationError as error:
        return "ok", str(error)
    except Exception as error:
        return f"unreachable: {type(error).__name__}", "unknown"
    if pending:
        return "ok", f"pending: {', '.join(pending)}"
    return "ok", "ok"


async def _check_redis(rt: ApiRuntime) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            await rt.redis.ping()
    except Exception as error:
        return f"unreachable: {type(error).__name__}"
    return "ok"
