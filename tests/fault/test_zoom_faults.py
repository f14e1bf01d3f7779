"""Booking → Zoom under faults: concurrent workers, a worker killed mid-call, token expiry,
429 storms, 5xx, timeouts, daily limits and refusals — with real worker processes and the
sandbox Zoom's fault injection over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from tests.fault.zoom_fault_support import (
    Spawn,
    all_approved,
    dead_letters_since,
    registrant_adds,
    send_all,
    start_workers,
)
from tests.integration.booking_support import (
    Sandbox,
    booking_event,
    course_cancelled,
    course_event,
    meeting_row,
    new_id,
    registrant_row,
)
from tests.support import eventually


async def test_two_workers_on_one_course_make_one_meeting_and_one_registrant_per_booking(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, spawn: Spawn, env: dict[str, str]
) -> None:
    start_workers(spawn, env, count=2)
    course_id, host = new_id("c"), f"{new_id('h')}@example.com"
    bookings = [new_id("B") for _ in range(30)]
    await send_all(
        http,
        *(booking_event(b, course_id) for b in bookings[:10]),
        course_event(course_id, host=host),
        course_event(course_id, host=host, version=2, title="Zweiter Titel"),
        *(booking_event(b, course_id) for b in bookings[10:]),
    )
    await all_approved(pool, bookings)

    [meeting] = sandbox.meetings(host)
    emails = [r["email"] for r in meeting["registrants"]]
    assert sorted(emails) == sorted(f"{b.lower()}@example.com" for b in bookings)
    assert len(registrant_adds(sandbox, meeting["id"])) == 30
    creates = [r for r in sandbox.requests() if r["path"] == f"/v2/users/{host}/meetings"]
    assert [r["status"] for r in creates if r["status"] < 300] == [201], creates


async def test_a_worker_killed_mid_add_leaves_no_duplicate_registrant(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, spawn: Spawn, env: dict[str, str]
) -> None:
    course_id, host, booking_id = new_id("c"), f"{new_id('h')}@example.com", new_id("B")
    [doomed] = [spawn("worker", "--threads", "2", env=env)]
    await send_all(http, course_event(course_id, host=host))
    meeting = await eventually(lambda: meeting_row(pool, course_id))
    await eventually(lambda: _has_meeting_id(pool, course_id))
    # Zoom adds the registrant, then its answer takes long: the worker dies waiting for it.
    sandbox.fault(method="POST", path="/registrants$", after_effect=True, delay_seconds=8)
    await send_all(http, booking_event(booking_id, course_id))

    async def added_in_zoom() -> bool:
        return any(m["registrants"] for m in sandbox.meetings(host))

    await eventually(added_in_zoom)
    doomed.kill()
    row = await registrant_row(pool, booking_id)
    assert row is not None and row["state"] == "in_flight"

    start_workers(spawn, env)
    await all_approved(pool, [booking_id], within=40)
    meeting = await meeting_row(pool, course_id)
    assert meeting is not None
    [registrant] = sandbox.meetings(host)[0]["registrants"]
    assert len(registrant_adds(sandbox, meeting["meeting_id"])) == 1
    row = await registrant_row(pool, booking_id)
    assert row is not None and row["registrant_id"] == registrant["id"]
    assert row["join_url"] == registrant["join_url"]


async def _has_meeting_id(pool: asyncpg.Pool, course_id: str) -> bool:
    row = await meeting_row(pool, course_id)
    return bool(row and row["meeting_id"])


async def test_token_expiry_mid_run_refreshes_once_and_loses_nothing(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, spawn: Spawn, env: dict[str, str]
) -> None:
    since = datetime.now(UTC)
    start_workers(spawn, env)
    course_id, host = new_id("c"), f"{new_id('h')}@example.com"
    first, second = [new_id("B") for _ in range(5)], [new_id("B") for _ in range(5)]
    await send_all(
        http, course_event(course_id, host=host), *(booking_event(b, course_id) for b in first)
    )
    await all_approved(pool, first)
    issued = sandbox.state()["tokens_issued"]
    sandbox.expire_tokens()
    await send_all(http, *(booking_event(b, course_id) for b in second))
    await all_approved(pool, second)
    refused = [r for r in sandbox.requests() if r["status"] == 401 and r["code"] == 124]
    assert refused, "the expired token was used once and refused"
    assert sandbox.state()["tokens_issued"] == issued + 1
    assert await dead_letters_since(pool, since) == 0


async def test_a_429_storm_and_5xx_are_retried_until_everyone_is_registered(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, spawn: Spawn, env: dict[str, str]
) -> None:
    since = datetime.now(UTC)
    start_workers(spawn, env, count=2)
    course_id, host = new_id("c"), f"{new_id('h')}@example.com"
    bookings = [new_id("B") for _ in range(10)]
    qps = {"X-RateLimit-Type": "QPS", "X-RateLimit-Category": "Light", "Retry-After": "1"}
    busy = {"code": 429, "message": "You have reached the maximum per-second rate limit."}
    sandbox.fault(method="POST", path="/registrants$", status=429, headers=qps, body=busy, times=8)
    sandbox.fault(
        method="POST",
        path="/registrants$",
        status=500,
        times=4,
        body={"code": 500, "message": "Internal error"},
    )
    sandbox.fault(
        method="POST",
        path="/meetings$",
        status=502,
        times=1,
        body={"code": 502, "message": "Bad gateway"},
    )
    await send_all(
        http, course_event(course_id, host=host), *(booking_event(b, course_id) for b in bookings)
    )
    await all_approved(pool, bookings, within=60)
    [meeting] = sandbox.meetings(host)
    assert len(meeting["registrants"]) == 10
    assert await dead_letters_since(pool, since) == 0


async def test_a_lost_answer_is_looked_up_not_repeated(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, spawn: Spawn, env: dict[str, str]
) -> None:
    start_workers(spawn, env)
    course_id, host, booking_id = new_id("c"), f"{new_id('h')}@example.com", new_id("B")
    await send_all(http, course_event(course_id, host=host))
    await eventually(lambda: _has_meeting_id(pool, course_id))
    # Zoom adds the registrant but answers after the client's 10 s read timeout.
    sandbox.fault(method="POST", path="/registrants$", after_effect=True, delay_seconds=11)
    await send_all(http, booking_event(booking_id, course_id))
    await all_approved(pool, [booking_id], within=40)
    meeting = await meeting_row(pool, course_id)
    assert meeting is not None
    assert len(registrant_adds(sandbox, meeting["meeting_id"])) == 1
    lookups = [
        c
        for c in sandbox.calls(meeting["meeting_id"])
        if c["method"] == "GET" and c["path"].endswith("/registrants")
    ]
    assert lookups


def meeting_creates(sandbox: Sandbox, host: str) -> list[dict[str, Any]]:
    return [
        r
        for r in sandbox.requests()
        if r["method"] == "POST" and r["path"] == f"/v2/users/{host}/meetings"
    ]


def meeting_lists(sandbox: Sandbox, host: str) -> list[dict[str, Any]]:
    return [
        r
        for r in sandbox.requests()
        if r["method"] == "GET" and r["path"] == f"/v2/users/{host}/meetings"
    ]


async def assert_adopted(
    pool: asyncpg.Pool, sandbox: Sandbox, course_id: str, host: str, booking_id: str
) -> None:
    """One meeting in Zoom, created once, found by its marker and used for the registrant."""
    await all_approved(pool, [booking_id], within=40)
    [meeting] = sandbox.meetings(host)
    # The killed worker's create is logged only once its delayed answer is sent (or never).
    assert len(meeting_creates(sandbox, host)) <= 1
    assert meeting_lists(sandbox, host), "the lost create was looked up"
    row = await meeting_row(pool, course_id)
    assert row is not None and row["meeting_id"] == meeting["id"]
    assert row["state"] == "done" and row["sync_status"] == "ok", row
    assert row["join_url"] and len(row["occurrences"]) == 3
    [registrant] = meeting["registrants"]
    assert registrant["email"] == f"{booking_id.lower()}@example.com"


THREE_SESSIONS = [
    ("2031-10-13", "16:00", "21:00"),
    ("2031-10-20", "16:00", "21:00"),
    ("2031-10-27", "16:00", "21:00"),
]


async def test_a_lost_create_answer_adopts_the_meeting_zoom_made(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, spawn: Spawn, env: dict[str, str]
) -> None:
    since = datetime.now(UTC)
    start_workers(spawn, env)
    course_id, host, booking_id = new_id("c"), f"{new_id('h')}@example.com", new_id("B")
    # Zoom creates the meeting, then the gateway loses the answer (504: may have been applied).
    gateway = {"code": 504, "message": "Gateway timeout"}
    sandbox.fault(method="POST", path="/meetings$", status=504, body=gateway, after_effect=True)
    await send_all(
        http,
        course_event(course_id, host=host, sessions=THREE_SESSIONS),
        booking_event(booking_id, course_id),
    )
    await assert_adopted(pool, sandbox, course_id, host, booking_id)
    assert [c["status"] for c in meeting_creates(sandbox, host)] == [504]
    assert await dead_letters_since(pool, since) == 0


async def test_a_worker_killed_mid_create_leaves_one_meeting(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, spawn: Spawn, env: dict[str, str]
) -> None:
    course_id, host, booking_id = new_id("c"), f"{new_id('h')}@example.com", new_id("B")
    doomed = spawn("worker", "--threads", "2", env=env)
    # Zoom creates the meeting, then its answer takes long: the worker dies waiting for it.
    sandbox.fault(method="POST", path="/meetings$", after_effect=True, delay_seconds=8)
    await send_all(
        http,
        course_event(course_id, host=host, sessions=THREE_SESSIONS),
        booking_event(booking_id, course_id),
    )

    async def created_in_zoom() -> bool:
        return bool(sandbox.meetings(host))

    await eventually(created_in_zoom)
    doomed.kill()
    row = await meeting_row(pool, course_id)
    assert row is not None and row["state"] == "in_flight" and row["meeting_id"] is None

    start_workers(spawn, {**env, "OUTBOX_LEASE_SECONDS": "5"})  # take the dead claim back soon
    await assert_adopted(pool, sandbox, course_id, host, booking_id)


async def test_a_course_cancelled_after_a_lost_create_leaves_no_meeting(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, spawn: Spawn, env: dict[str, str]
) -> None:
    course_id, host = new_id("c"), f"{new_id('h')}@example.com"
    gateway = {"code": 504, "message": "Gateway timeout"}
    # Every create's answer is lost, so the course never learns its meeting id.
    sandbox.fault(method="POST", path="/meetings$", status=504, body=gateway, after_effect=True)
    sandbox.fault(method="GET", path="/meetings$", status=500, times=50)
    start_workers(spawn, env)
    await send_all(http, course_event(course_id, host=host))
    await eventually(lambda: _has_list_attempt(sandbox, host))
    await send_all(http, course_cancelled(course_id, version=2))
    sandbox.clear_faults()

    async def gone() -> bool:
        row = await meeting_row(pool, course_id)
        return bool(row and row["deleted_at"] and not sandbox.meetings(host))

    await eventually(gone, within=40)
    assert len(meeting_creates(sandbox, host)) == 1


async def _has_list_attempt(sandbox: Sandbox, host: str) -> bool:
    return bool(meeting_lists(sandbox, host))


async def test_daily_limit_defers_until_after_midnight_utc_and_is_not_dead(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, spawn: Spawn, env: dict[str, str]
) -> None:
    start_workers(spawn, env)
    course_id, host, booking_id = new_id("c"), f"{new_id('h')}@example.com", new_id("B")
    await send_all(http, course_event(course_id, host=host))
    await eventually(lambda: _has_meeting_id(pool, course_id))
    sandbox.settings(registrant_adds_per_day=0)
    await send_all(http, booking_event(booking_id, course_id))

    async def deferred() -> asyncpg.Record | None:
        row = await pool.fetchrow(
            "SELECT * FROM outbox WHERE subject = $1", f"booking:{booking_id}"
        )
        return row if row is not None and row["last_error"] else None

    row = await eventually(deferred)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0)
    assert row["status"] == "pending" and row["attempts"] == 0
    assert row["not_before"] >= tomorrow.replace(microsecond=0)
    assert "daily" in row["last_error"]
    dead = await pool.fetchval(
        "SELECT count(*) FROM dead_letters WHERE queue = 'outbox' AND ref_id = $1", row["id"]
    )
    assert dead == 0
    registrant = await registrant_row(pool, booking_id)
    assert registrant is not None and registrant["state"] == "pending"


async def test_a_refusal_is_a_dead_letter_with_zoom_code_on_the_course_and_notified(  # noqa: PLR0917
    http: httpx.AsyncClient,
    admin: httpx.AsyncClient,
    pool: asyncpg.Pool,
    sandbox: Sandbox,
    spawn: Spawn,
    env: dict[str, str],
) -> None:
    start_workers(spawn, env)
    course_id, host = new_id("c"), f"{new_id('h')}@example.com"
    sandbox.settings(unknown_users=[host])
    await send_all(http, course_event(course_id, host=host))

    async def failed() -> dict[str, Any] | None:
        detail = (await admin.get(f"/api/v1/courses/{course_id}")).json()
        zoom = detail.get("zoom") or {}
        return detail if zoom.get("sync_status") == "failed" else None

    detail = await eventually(failed)
    [error] = detail["zoom"]["errors"]
    assert error["code"] == "zoom_1001"
    assert "not exist or not belong to this account" in error["message"]
    letter = await pool.fetchrow(
        "SELECT * FROM dead_letters WHERE payload ->> 'subject' = $1", f"course:{course_id}"
    )
    assert letter["type"] == "sync_meeting" and "1001" in letter["error_message"]
    notes = (await admin.get("/api/v1/notifications", params={"kind": "sync_failed"})).json()
    assert any(n["subject"] == f"course:{course_id}" for n in notes["items"])

    # Fixed in Zoom: "sync now" tries again and creates the meeting.
    sandbox.settings(unknown_users=[])
    assert (await admin.post(f"/api/v1/courses/{course_id}/zoom/sync")).status_code == 202
    await eventually(lambda: _has_meeting_id(pool, course_id))
    assert (await admin.post("/api/v1/courses/nope/zoom/sync")).status_code == 404
