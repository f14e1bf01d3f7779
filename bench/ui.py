"""Benchmark of the web UI's pages (docs/benchmarks.md): every page ≤ 100 ms p95.

500 Calendly events x 50 attendees (as bench/admin_api.py seeds them) plus 1,000 teachers (a
quarter of the attendees linked), 1,000 courses, 10,000 integration-log calls, 1,000 dead
letters and 1,000 notifications, in a throw-away database. Each page is fetched sequentially
over keep-alive through the whole stack (uvicorn, session and CSRF guard, pool, Jinja2).
Baseline in the same run: GET /healthz (no database, no template) and the sign-in page (one
template, no query).

    .venv/bin/python bench/ui.py [--requests 200] [--json FILE]
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import asyncpg
import httpx

from bench.admin_api import command_line, machine, percentiles, seed, throwaway_database
from service.adapters import ui_sessions
from service.adapters.api_tokens import create_token
from service.adapters.postgres import connect
from service.app import create_app
from service.config import load_settings
from service.sandbox.serve import serving
from service.ui.guard import SESSION_COOKIE

TEACHERS = 1_000
TARGET_P95_MS = 100.0


async def seed_teachers(conn: asyncpg.Connection) -> None:
    await conn.execute(
        """
        INSERT INTO users (id, version, name, email, role, search_key, pipeline_status)
        SELECT 'bench-u' || g, 1, 'Lehrkraft Nummer ' || g, 'lk' || g || '@example.com',
               'teacher', 'lehrkraft nummer ' || g || ' lk' || g || '@example.com',
               (ARRAY[4, 6, 7, 8])[1 + g % 4]
          FROM generate_series(1, $1) g
        """,
        TEACHERS,
    )
    await conn.execute(
        """
        UPDATE calendly_attendees SET user_id = 'bench-u' || (1 + id % $1)
         WHERE id % 4 = 0
        """,
        TEACHERS,
    )
    await conn.execute("ANALYZE users; ANALYZE calendly_attendees")


async def seed_ops(conn: asyncpg.Connection) -> None:
    """1,000 courses (a tenth failed), 10,000 integration-log calls, 1,000 dead letters and
    1,000 notifications: more than any page shows at once."""
    await conn.execute(
        """
        INSERT INTO courses (id, version, title, status, sessions, zoom_synced)
        SELECT 'bench-c' || g, 1, 'Kurs ' || g, 'confirmed',
               jsonb_build_array(jsonb_build_object('date', '2027-01-07', 'start', '16:00',
                                                    'end', '21:00')), true
          FROM generate_series(1, 1000) g;
        INSERT INTO zoom_meetings (course_id, meeting_id, state, sync_status, errors)
        SELECT 'bench-c' || g, 80000000000 + g, 'done',
               CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'ok' END,
               CASE WHEN g % 10 = 0 THEN jsonb_build_array(jsonb_build_object(
                   'code', 'zoom_1001', 'message', 'User x does not exist'))
                    ELSE '[]'::jsonb END
          FROM generate_series(1, 1000) g;
        INSERT INTO integration_log (system, method, path, status, duration_ms, cause)
        SELECT CASE WHEN g % 3 = 0 THEN 'calendly' ELSE 'zoom' END, 'POST',
               '/v2/meetings/' || g || '/registrants', CASE WHEN g % 50 = 0 THEN 429 ELSE 201 END,
               40 + g % 60, jsonb_build_object('course_id', 'bench-c' || (g % 1000))
          FROM generate_series(1, 10000) g;
        INSERT INTO dead_letters (source, queue, ref_id, type, error_class, error_message,
                                  attempts, payload)
        SELECT 'zoom', 'outbox', g, 'sync_registrant', 'ZoomTerminal',
               'Registrant refused (HTTP 400, Zoom code 300)', 1,
               jsonb_build_object('subject', 'booking:bench-' || g)
          FROM generate_series(1, 1000) g;
        INSERT INTO notifications (kind, subject, message)
        SELECT 'sync_failed', 'course:bench-c' || g, 'Zoom refused the meeting: User x not exist.'
          FROM generate_series(1, 1000) g;
        ANALYZE
        """
    )


async def pages(conn: asyncpg.Connection, event_id: int) -> dict[str, str]:
    attendee = await conn.fetchval(
        "SELECT min(id) FROM calendly_attendees WHERE event_id = $1", event_id
    )
    return {
        "baseline: /healthz": "/healthz",
        "baseline: sign-in page": "/ui/login",
        "webinars (14 days)": "/ui/webinars",
        "webinars (70 days: all 500 events, first 60 shown)": "/ui/webinars?days=70",
        "event (50 attendees)": f"/ui/webinars/{event_id}",
        "event sorted by teacher, filtered": f"/ui/webinars/{event_id}?sort=teacher&dir=desc"
        "&attendance=pending",
        "attendee edit with teacher search": f"/ui/attendees/{attendee}/edit?q=lehrkraft",
        "courses (1,000, first 500 shown)": "/ui/courses",
        "courses, failed only": "/ui/courses?sync_status=failed",
        "course detail": "/ui/courses/bench-c10",
        "teachers (1,000, first 200 shown)": "/ui/teachers",
        "teachers search": "/ui/teachers?q=nummer+12",
        "notifications (1,000, newest 200 shown)": "/ui/notifications",
        "dead letters (1,000, newest 200 shown)": "/ui/ops/dead-letters",
        "dead letters filtered by error": "/ui/ops/dead-letters?error=Zoom+code+300",
        "dead letter detail": "/ui/ops/dead-letters/500",
        "integration log (10,000, newest 200 shown)": "/ui/ops/integration-log",
        "integration log, zoom 4xx of one course": "/ui/ops/integration-log?system=zoom"
        "&status=4xx&course_id=bench-c50",
    }


async def bench(dsn: str, env: dict[str, str], count: int) -> dict[str, Any]:
    conn = await connect(dsn)
    try:
        event_id = await seed(conn)
        await seed_teachers(conn)
        await seed_ops(conn)
        token = await create_token(conn, f"bench-{uuid.uuid4().hex[:6]}", "admin")
        session_id = await ui_sessions.open_with_token(conn, token)
        assert session_id is not None
        paths = await pages(conn, event_id)
    finally:
        await conn.close()
    results: dict[str, Any] = {}
    with serving(create_app(load_settings(env))) as url:
        cookies = {SESSION_COOKIE: session_id}
        async with httpx.AsyncClient(base_url=url, cookies=cookies) as http:
            for name, path in paths.items():
                for _ in range(10):  # warm-up: pool connections, prepared statements, templates
                    assert (await http.get(path)).status_code == 200, path
                samples = []
                for _ in range(count):
                    started = time.perf_counter()
                    response = await http.get(path)
                    samples.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, path
                results[name] = {
                    "path": path,
                    "bytes": len(response.content),
                    **percentiles(samples, tail=95),
                }
    return results


async def main(count: int) -> dict[str, Any]:
    async with throwaway_database() as (dsn, env):
        figures = await bench(dsn, env, count)
    slow = [page for page, f in figures.items() if f["p95_ms"] > TARGET_P95_MS]
    return {"machine": machine(), "pages": figures, "over_target": slow}


if __name__ == "__main__":
    command_line(__doc__, main, requests=200)
