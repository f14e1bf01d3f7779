"""The Calendly sync job against the sandbox Calendly: API, worker, CLI, rate limits, failures."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from service.adapters.sync_jobs import SyncRequest
from service.app import create_app
from service.config import load_settings
from service.domain.sync_jobs import SyncMode
from service.sandbox.serve import serving
from service.services.calendly_sync import request_sync, run_sync
from tests.integration.calendly_sandbox import (
    Sandbox,
    sandbox_fixture,  # noqa: F401 - the `sandbox` fixture
    sandbox_settings,
    sandbox_url_fixture,  # noqa: F401 - the `sandbox_url` fixture
    sync_now,
)
from tests.support import Spawn, eventually, run_service, service_environment

EVENTS, PER_EVENT = 250, 2


async def _stored(pool: asyncpg.Pool, event_uris: list[str]) -> tuple[int, int]:
    """How many of these events, and of their attendees, are stored."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            """
            SELECT count(DISTINCT e.id) AS events, count(a.id) AS attendees
              FROM calendly_events e LEFT JOIN calendly_attendees a ON a.event_id = e.id
             WHERE e.uri = ANY($1::text[])
            """,
            event_uris,
        )
    assert row is not None
    return row["events"], row["attendees"]


async def test_sync_of_250_events_through_api_and_worker_survives_a_429(
    admin: httpx.AsyncClient,
    pool: asyncpg.Pool,
    sandbox: Sandbox,
    spawn: Spawn,
    service_env: dict[str, str],
) -> None:
    # Its own worker, started after the sandbox's reset; the other tests run jobs in-process.
    spawn("worker", "--threads", "2", env=sandbox.env(service_env))
    seeded = await sandbox.post("seed", {"events": EVENTS, "invitees_per_event": PER_EVENT})
    # The second page of events answers 429 once: the client waits and goes on.
    await sandbox.post(
        "faults",
        {"path": "/scheduled_events$", "query": "page_token=", "status": 429, "reset_s": 1},
    )
    response = await admin.post("/api/v1/calendly/sync", json={"mode": "recent"})
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]

    async def finished() -> dict[str, object] | None:
        job = (await admin.get(f"/api/v1/calendly/sync/{job_id}")).json()
        return job if job["status"] in ("succeeded", "failed") else None

    job = await eventually(finished, within=120, interval=0.5)
    assert job["status"] == "succeeded", job
    assert (job["synced"], job["new"], job["updated"], job["error"]) == (EVENTS, EVENTS, 0, None)
    assert await _stored(pool, seeded["events"]) == (EVENTS, EVENTS * PER_EVENT)

    requests = await sandbox.requests()
    pages = math.ceil(EVENTS / 100) + EVENTS  # event pages + one invitee page per event
    answered = [r for r in requests if r.get("status", 200) != 429]
    assert len(requests) == pages + 1 + 1  # + GET /users/me + the one 429
    assert len(answered) == pages + 1

    last = (await admin.get("/api/v1/calendly/sync/last")).json()
    assert last["last_sync_time"] is not None and last["job_id"] == job_id

    # Read again: nothing new, nothing changed. (Another token: this one's per-minute budget
    # of 500 calls is half spent, and the client would rightly wait for the next minute.)
    await sandbox.post("tokens", {"token": "second-token"})
    settings = sandbox_settings(sandbox, service_env, CALENDLY_API_TOKEN="second-token")
    _, again = await sync_now(pool, settings)
    assert (again.status, again.counts.synced, again.counts.new, again.counts.updated) == (
        "succeeded",
        EVENTS,
        0,
        0,
    )


async def test_revoked_token_fails_the_job_with_what_to_fix(
    admin: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, service_env: dict[str, str]
) -> None:
    await sandbox.post("seed", {"events": 3, "invitees_per_event": 1})
    await sandbox.post("tokens/revoke")
    job_id, outcome = await sync_now(pool, sandbox_settings(sandbox, service_env))
    assert outcome.status == "failed"
    assert outcome.error is not None and "CALENDLY_API_TOKEN" in outcome.error
    job = (await admin.get(f"/api/v1/calendly/sync/{job_id}")).json()
    assert job["status"] == "failed" and job["error"] == outcome.error
    assert "sandbox-calendly-token" not in job["error"]
    async with pool.acquire() as conn:
        notice = await conn.fetchrow(
            "SELECT kind, message FROM notifications WHERE subject = $1", f"calendly_sync:{job_id}"
        )
    assert notice is not None and notice["kind"] == "sync_failed"
    assert "CALENDLY_API_TOKEN" in notice["message"]


async def test_unknown_user_uri_names_the_setting(
    pool: asyncpg.Pool, sandbox: Sandbox, service_env: dict[str, str]
) -> None:
    settings = sandbox_settings(
        sandbox, service_env, CALENDLY_USER_URI=f"{sandbox.url}/users/NOSUCHUSER"
    )
    _, outcome = await sync_now(pool, settings)
    assert outcome.status == "failed"
    assert outcome.error is not None and "CALENDLY_USER_URI" in outcome.error


async def test_failure_mid_run_keeps_the_events_already_committed(
    admin: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, service_env: dict[str, str]
) -> None:
    seeded = await sandbox.post("seed", {"events": 150, "invitees_per_event": 1})
    await sandbox.post(
        "faults",
        {"path": "/scheduled_events$", "query": "page_token=", "status": 500, "count": 10},
    )
    job_id, outcome = await sync_now(
        pool, sandbox_settings(sandbox, service_env), SyncRequest(SyncMode.FULL)
    )
    assert outcome.status == "failed" and "500" in (outcome.error or "")
    assert await _stored(pool, seeded["events"]) == (100, 100)
    job = (await admin.get(f"/api/v1/calendly/sync/{job_id}")).json()
    assert (job["synced"], job["new"]) == (100, 100)


async def test_since_mode_reads_only_later_events_and_cancellations_arrive(
    pool: asyncpg.Pool, sandbox: Sandbox, service_env: dict[str, str]
) -> None:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)
    seeded = await sandbox.post(
        "seed",
        {"events": 4, "invitees_per_event": 1, "start_time": start.isoformat(),
         "interval_minutes": 24 * 60},
    )  # fmt: skip
    settings = sandbox_settings(sandbox, service_env)
    since = SyncRequest(SyncMode.SINCE, start + timedelta(days=2))
    _, outcome = await sync_now(pool, settings, since)
    assert (outcome.counts.synced, outcome.counts.new) == (2, 2)

    await sandbox.post(f"events/{seeded['events'][3].rpartition('/')[2]}/cancel")
    _, outcome = await sync_now(pool, settings, since)
    assert (outcome.counts.synced, outcome.counts.new, outcome.counts.updated) == (2, 0, 1)
    async with pool.acquire() as conn:
        status = await conn.fetchval(
            "SELECT status FROM calendly_events WHERE uri = $1", seeded["events"][3]
        )
    assert status == "canceled"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"mode": "sometimes"}, ["mode"]),
        ({"mode": "since"}, ["since"]),
        ({"mode": "since", "since": "last week"}, ["since"]),
        ({"mode": "full", "since": "2026-01-01"}, ["since"]),
        ({"mode": "full", "extra": True}, ["extra"]),
    ],
)
async def test_sync_request_is_validated(
    admin: httpx.AsyncClient, body: dict[str, object], fields: list[str]
) -> None:
    response = await admin.post("/api/v1/calendly/sync", json=body)
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == fields


async def test_sync_job_lookups(admin: httpx.AsyncClient) -> None:
    bad = await admin.post(
        "/api/v1/calendly/sync", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400
    for ref in ("not-a-uuid", "6f1c1d1e-0000-4000-8000-000000000000"):
        assert (await admin.get(f"/api/v1/calendly/sync/{ref}")).status_code == 404


async def test_cli_runs_the_sync_now_and_prints_the_counts(
    pool: asyncpg.Pool, sandbox: Sandbox, service_env: dict[str, str]
) -> None:
    await sandbox.post("seed", {"events": 3, "invitees_per_event": 2})
    command = ["sync", "calendly", "--full"]
    env = sandbox.env(service_env)
    done = await asyncio.to_thread(run_service, *command, env=env)
    assert done.returncode == 0, done.stderr
    assert "synced=3 new=3 updated=0" in done.stdout
    bad = await asyncio.to_thread(run_service, *command[:-1], "--since", "someday", env=env)
    assert bad.returncode == 2 and "--since" in bad.stderr


async def test_a_sync_job_delivered_twice_runs_once(
    pool: asyncpg.Pool, sandbox: Sandbox, service_env: dict[str, str]
) -> None:
    settings = sandbox_settings(sandbox, service_env)
    job_id = await request_sync(pool, SyncRequest(SyncMode.RECENT), "test")
    first = await run_sync(pool, settings, job_id)
    assert first is not None and first.status == "succeeded"
    assert await run_sync(pool, settings, job_id) is None


async def test_a_sync_that_cannot_be_queued_fails_at_once_and_says_why(
    database_url: str, admin_token: str, pool: asyncpg.Pool
) -> None:
    env = service_environment(database_url, "redis://127.0.0.1:1/0")
    with serving(create_app(load_settings(env))) as url:
        async with httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=15
        ) as client:
            response = await client.post("/api/v1/calendly/sync", json={"mode": "recent"})
    assert response.status_code == 503
    assert "Redis unavailable" in response.json()["error"]["message"]
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT status, error FROM sync_jobs WHERE requested_by LIKE 'admin%'"
            " ORDER BY created_at DESC LIMIT 1"
        )
    assert row is not None and row["status"] == "failed" and "Redis" in row["error"]
