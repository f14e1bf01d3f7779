"""Benchmark: 1,000 bookings over 20 courses, booking events → Zoom registrants, end to end.

Runs the real pipeline — signed events into the API, inbox, real `webinar-sync worker`
processes, outbox, the shared Redis limiter — against the sandbox Zoom (light=30/s,
medium=20/s) and reports wall time against the ideal the limits allow, Zoom calls per registrant
and 429s. The baseline, measured in the same run against a fresh sandbox, sends the same 1,000
adds straight through `ZoomClient` and the same limiter, without Postgres, inbox or outbox: the
best the limits and the client allow on this machine. The pipeline runs twice: with the add
answering `join_url`, and without it (as Zoom answers for meetings with `approval_type` 1, ours),
when the worker reads the URLs in pages of the registrant list; the clock stops when every
registrant is approved with its join URL stored.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m bench.zoom_propagation [--workers 2] [--threads 8] [--margin-ms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import time
import uuid
from typing import Any

import asyncpg
import httpx
import redis.asyncio as aioredis

from service.adapters.vendor_calls import NoRecorder
from service.adapters.zoom import SlidingWindowLimiter, TokenProvider, ZoomClient
from service.app import create_app
from service.config import load_settings
from service.sandbox.serve import serving
from service.sandbox.zoom import ZoomSandboxSettings
from service.sandbox.zoom import create_app as create_zoom
from tests.integration.booking_support import booking_event, course_event, send_event, zoom_env
from tests.support import (
    Servers,
    ServiceProcess,
    create_database,
    drop_database,
    service_environment,
)

COURSES, BOOKINGS = 20, 1000
LIGHT, MEDIUM = 30, 20


def sandbox_settings(add_returns_join_url: bool = True) -> ZoomSandboxSettings:
    return ZoomSandboxSettings(
        light_per_second=LIGHT,
        medium_per_second=MEDIUM,
        add_returns_join_url=add_returns_join_url,
    )


def ideal_seconds() -> float:
    """Adds (Light) and creates (Medium) use separate quotas: the larger one bounds the run."""
    return max(BOOKINGS / LIGHT, COURSES / MEDIUM)


def events(run: str) -> list[dict[str, Any]]:
    courses = [f"bench-{run}-{i:02d}" for i in range(COURSES)]
    result: list[dict[str, Any]] = [
        course_event(course_id, host=f"{course_id}@example.com") for course_id in courses
    ]
    for n in range(BOOKINGS):
        course_id = courses[n % COURSES]
        result.append(booking_event(f"BN-{run}-{n:04d}", course_id))
    return result


async def run_pipeline(
    servers: Servers, workers: int, threads: int, margin_ms: int, add_returns_join_url: bool
) -> dict[str, Any]:
    """Until every registrant is approved with its join URL stored (read from the list when
    the add leaves it out: `add_returns_join_url=False`, as Zoom does for our meetings)."""
    database_url = await create_database(servers)
    env = service_environment(database_url, servers.redis_url)
    settings = load_settings(env)
    processes: list[ServiceProcess] = []
    try:
        with (
            serving(create_zoom(sandbox_settings(add_returns_join_url))) as zoom_url,
            serving(create_app(settings)) as api,
        ):
            worker_env = {
                **zoom_env(env, zoom_url),
                "LOG_LEVEL": "WARNING",
                "ZOOM_RATE_MARGIN_MS": str(margin_ms),
            }
            processes = [
                ServiceProcess(["worker", "--threads", str(threads)], worker_env).start()
                for _ in range(workers)
            ]
            processes.append(ServiceProcess(["scheduler"], worker_env).start())
            await asyncio.sleep(3)  # workers up before the clock starts
            run = uuid.uuid4().hex[:6]
            pool = await asyncpg.connect(database_url)
            started = time.perf_counter()
            async with httpx.AsyncClient(base_url=api, timeout=30) as http:
                limit = asyncio.Semaphore(32)

                async def send(event: dict[str, Any]) -> None:
                    async with limit:
                        response = await send_event(http, event)
                        assert response.status_code == 202, response.text

                await asyncio.gather(*(send(e) for e in events(run)))
            ingress_s = time.perf_counter() - started
            while True:
                done = await pool.fetchval(
                    "SELECT count(*) FROM zoom_registrants WHERE zoom_status = 'approved'"
                    " AND state = 'done' AND join_url IS NOT NULL"
                )
                if done >= BOOKINGS:
                    break
                await asyncio.sleep(0.2)
            wall_s = time.perf_counter() - started
            await pool.close()
            state = await sandbox_state(zoom_url)
    finally:
        for process in processes:
            process.stop()
        await drop_database(servers, database_url)
    return summary(wall_s, state) | {"ingress_s": round(ingress_s, 2)}


async def run_baseline(servers: Servers, margin_ms: int) -> dict[str, Any]:
    """The same adds through ZoomClient and the Redis limiter alone (20 meetings made first)."""
    redis = aioredis.Redis.from_url(servers.redis_url)
    prefix = f"bench-{uuid.uuid4().hex[:8]}:"
    with serving(create_zoom(sandbox_settings())) as zoom_url:
        async with httpx.AsyncClient(timeout=30) as http:
            tokens = TokenProvider(
                redis,
                prefix,
                token_url=f"{zoom_url}/oauth/token",
                account_id="sandbox",
                client_id="sandbox",
                client_secret="sandbox",  # noqa: S106 - the sandbox's published credential
                http=http,
            )
            limiter = SlidingWindowLimiter(
                redis,
                prefix,
                {"light": LIGHT, "medium": MEDIUM, "heavy": 10},
                margin_ms=margin_ms,
            )
            client = ZoomClient(http, tokens, limiter, NoRecorder(), f"{zoom_url}/v2")
            started = time.perf_counter()
            run = uuid.uuid4().hex[:6]
            bodies = [e["data"]["course"] for e in events(run)[:COURSES]]
            meetings = await asyncio.gather(
                *(
                    client.create_meeting(
                        b["supervisor"]["zoom_user"],
                        {
                            "topic": b["title"],
                            "type": 2,
                            "start_time": "2031-10-13T16:00:00",
                            "timezone": "Europe/Berlin",
                            "duration": 300,
                            "settings": {"approval_type": 1},
                        },
                        cause={},
                    )
                    for b in bodies
                )
            )
            limit = asyncio.Semaphore(16)

            async def add(n: int) -> None:
                async with limit:
                    body = {
                        "email": f"bn-{n}@example.com",
                        "first_name": "Rita",
                        "last_name": "Doro",
                        "auto_approve": True,
                    }
                    await client.add_registrant(meetings[n % COURSES]["id"], body, cause={})

            await asyncio.gather(*(add(n) for n in range(BOOKINGS)))
            wall_s = time.perf_counter() - started
        state = await sandbox_state(zoom_url)
    await redis.aclose()
    return summary(wall_s, state)


async def sandbox_state(zoom_url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as http:
        return dict((await http.get(f"{zoom_url}/_sandbox/state")).json())


def summary(wall_s: float, state: dict[str, Any]) -> dict[str, Any]:
    calls = sum(state["calls"].values())
    rate_limited = state["rate_limited"]["total"]
    return {
        "wall_s": round(wall_s, 2),
        "ideal_s": round(ideal_seconds(), 2),
        "of_ideal": round(ideal_seconds() / wall_s, 3),
        "zoom_calls": calls,
        "calls_per_registrant": round(calls / BOOKINGS, 3),
        "calls_by_operation": state["calls"],
        "rate_limited_429": rate_limited,
        "rate_limited_share": round(rate_limited / calls, 4) if calls else 0.0,
        "registrants": sum(len(m["registrants"]) for m in state["meetings"]),
        "meetings": len(state["meetings"]),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--margin-ms", type=int, default=load_settings({}).zoom_rate_margin_ms
    )  # ZOOM_RATE_MARGIN_MS of the workers and the baseline's limiter
    args = parser.parse_args()
    servers = Servers(os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
    load_before = os.getloadavg()
    baseline = await run_baseline(servers, args.margin_ms)
    pipeline = await run_pipeline(servers, args.workers, args.threads, args.margin_ms, True)
    without_join_url = await run_pipeline(
        servers, args.workers, args.threads, args.margin_ms, False
    )
    print(
        json.dumps(
            {
                "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
                f"Python {platform.python_version()}",
                "workers": args.workers,
                "threads": args.threads,
                "margin_ms": args.margin_ms,
                "load_average_before_after": [load_before, os.getloadavg()],
                "baseline": baseline,
                "pipeline": pipeline,
                "pipeline_add_without_join_url": without_join_url,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
