"""Benchmark: one course of 300 bookings over 20 sessions, every session's attendance imported.

The real pipeline end to end: signed booking events into the API make the course's recurring
meeting and its 300 registrants in the sandbox Zoom (a `webinar-sync worker`); then the 20
sessions are held in the sandbox Zoom, 300 participant rows each (250 people present, 50 of
them dropping out and rejoining, 50 absent): 6,000 rows. Each held session sends a signed
`meeting.ended` to the API; the clock runs from the first one until all 20 imports are `done`.
Reports time per instance, Zoom calls (pages) per instance against the minimum ⌈rows / 300⌉,
and 429s under the medium limit (20/s).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m bench.attendance [--threads 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import time
import uuid
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx

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

SESSIONS, BOOKINGS, PAGE = 20, 300, 300
PRESENT, REJOINING = 250, 50  # per session: 200 one row + 50 two rows = 300 rows
SECRET = "bench-zoom-secret"  # noqa: S105 - a local sandbox's webhook secret
FIRST_DAY = date(2031, 9, 1)  # a Monday; 16:00 Berlin is 14:00 UTC until late October


def session_days() -> list[date]:
    return [FIRST_DAY + timedelta(days=2 * n) for n in range(SESSIONS)]


def audience(emails: list[str], session: int) -> list[dict[str, Any]]:
    """Who comes to `session`: a different 50 stay away each time; the first 50 rejoin."""
    absent = {(session * REJOINING + n) % BOOKINGS for n in range(BOOKINGS - PRESENT)}
    present = [e for n, e in enumerate(emails) if n not in absent]
    return [
        {
            "name": f"Teilnehmer {n}",
            "email": email,
            "segments": [[0, 40], [44, 100]] if n < REJOINING else [[2, 95]],
        }
        for n, email in enumerate(present)
    ]


async def wait_for(pool: asyncpg.Connection, sql: str, target: int) -> None:
    """Poll Postgres until the count reaches `target` (the workers are other processes)."""
    deadline = time.monotonic() + 300
    while True:
        found = await pool.fetchval(sql)
        if found >= target:
            return
        if time.monotonic() > deadline:
            problems = await pool.fetch("SELECT sync_status, errors FROM zoom_meetings")
            raise RuntimeError(f"{found}/{target} after 300 s: {sql}; meetings: {problems}")
        await asyncio.sleep(0.2)


async def run(servers: Servers, threads: int) -> dict[str, Any]:
    database_url = await create_database(servers)
    env = service_environment(database_url, servers.redis_url)
    worker: ServiceProcess | None = None
    try:
        with serving(create_zoom(ZoomSandboxSettings())) as zoom_url:
            worker_env = {
                **zoom_env(env, zoom_url),
                "LOG_LEVEL": "WARNING",
                "ZOOM_WEBHOOK_SECRET_TOKEN": SECRET,
            }
            with serving(create_app(load_settings(worker_env))) as api:
                async with httpx.AsyncClient(timeout=60) as http:
                    await http.post(
                        f"{zoom_url}/_sandbox/settings",
                        json={
                            "webhook_url": f"{api}/webhooks/zoom",
                            "webhook_secret_token": SECRET,
                        },
                    )
                    worker = ServiceProcess(["worker", "--threads", str(threads)], worker_env)
                    worker.start()
                    result = await _measure(http, api, zoom_url, database_url)
    finally:
        if worker is not None:
            worker.stop()
        await drop_database(servers, database_url)
    return result


async def _measure(
    http: httpx.AsyncClient, api: str, zoom_url: str, database_url: str
) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:6]
    course_id = f"bench-att-{run_id}"
    sessions = [(d.isoformat(), "16:00", "17:40") for d in session_days()]
    http.base_url = httpx.URL(api)
    assert (
        await send_event(http, course_event(course_id, sessions=sessions, max_participants=None))
    ).status_code == 202
    emails = [f"t{n:03d}-{run_id}@example.com" for n in range(BOOKINGS)]
    for n, email in enumerate(emails):
        booking = booking_event(f"BA-{run_id}-{n:03d}", course_id, email=email)
        assert (await send_event(http, booking)).status_code == 202
    pool = await asyncpg.connect(database_url)
    await wait_for(
        pool,
        "SELECT count(*) FROM zoom_registrants WHERE zoom_status = 'approved' AND state = 'done'",
        BOOKINGS,
    )
    meeting_id = await pool.fetchval("SELECT meeting_id FROM zoom_meetings LIMIT 1")
    before = (await http.get(f"{zoom_url}/_sandbox/state")).json()
    started = time.perf_counter()
    holds = [
        http.post(
            f"{zoom_url}/_sandbox/meetings/{meeting_id}/hold",
            json={
                "start_time": f"{day.isoformat()}T14:00:00Z",
                "duration": 100,
                "participants": audience(emails, n),
                "ready_after_seconds": 0,
            },
        )
        for n, day in enumerate(session_days())
    ]
    for held in await asyncio.gather(*holds):
        assert held.status_code == 201, held.text
    await wait_for(pool, "SELECT count(*) FROM attendance_imports WHERE status = 'done'", SESSIONS)
    wall_s = time.perf_counter() - started
    stats = await pool.fetchrow(
        """
        SELECT sum(participants) AS rows, sum(pages) AS pages, sum(matched) AS matched,
               avg(extract(epoch FROM finished_at - requested_at)) AS per_import_s,
               max(extract(epoch FROM finished_at - requested_at)) AS slowest_s
          FROM attendance_imports
        """
    )
    await pool.close()
    assert stats is not None
    after = (await http.get(f"{zoom_url}/_sandbox/state")).json()
    calls = after["calls"].get("pastMeetingParticipants", 0) - before["calls"].get(
        "pastMeetingParticipants", 0
    )
    rows = int(stats["rows"])
    return {
        "instances": SESSIONS,
        "participant_rows": rows,
        "matched_people": int(stats["matched"]),
        "wall_s": round(wall_s, 2),
        "per_instance_s": round(wall_s / SESSIONS, 3),
        "import_s_avg": round(float(stats["per_import_s"]), 3),
        "import_s_max": round(float(stats["slowest_s"]), 3),
        "participant_calls": calls,
        "calls_per_instance": round(calls / SESSIONS, 3),
        "minimum_calls": SESSIONS * math.ceil(rows / SESSIONS / PAGE),
        "pages_recorded": int(stats["pages"]),
        "rate_limited_429": after["rate_limited"]["total"] - before["rate_limited"]["total"],
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    servers = Servers(os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
    result = await run(servers, args.threads)
    print(
        json.dumps(
            {
                "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
                f"Python {platform.python_version()}",
                "threads": args.threads,
                **result,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
