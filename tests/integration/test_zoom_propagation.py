"""Booking events → Zoom (CONTRACT §4), end to end: API ingress, real worker processes, and the
sandbox Zoom over HTTP. Every test uses its own course and host, so tests don't see each other."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.integration.booking_support import (
    Sandbox,
    booking_event,
    course_event,
    meeting_row,
    new_id,
    registrant_row,
    sandbox_zoom,
    send_event,
    zoom_env,
)
from tests.support import ServiceProcess, eventually


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with sandbox_zoom() as url:
        yield url


@pytest.fixture(scope="module")
def workers(service_env: dict[str, str], sandbox_url: str) -> Iterator[None]:
    env = zoom_env(service_env, sandbox_url)
    processes = [
        ServiceProcess(["worker", "--threads", "4"], env).start(),
        ServiceProcess(["scheduler"], env).start(),
    ]
    yield
    for process in processes:
        process.stop()


@pytest.fixture
def sandbox(sandbox_url: str, workers: None) -> Sandbox:
    return Sandbox(sandbox_url)


async def accepted(http: httpx.AsyncClient, event: dict[str, Any]) -> None:
    response = await send_event(http, event)
    assert response.status_code == 202, response.text


async def synced_meeting(pool: asyncpg.Pool, course_id: str) -> dict[str, Any]:
    async def created() -> dict[str, Any] | None:
        row = await meeting_row(pool, course_id)
        return row if row and row["meeting_id"] and row["state"] == "done" else None

    return await eventually(created)


async def approved(pool: asyncpg.Pool, booking_id: str) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        row = await registrant_row(pool, booking_id)
        ok = row and row["zoom_status"] == "approved" and row["state"] == "done"
        return row if ok else None

    return await eventually(check)


async def test_one_session_course_becomes_one_scheduled_meeting_with_its_registrants(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox
) -> None:
    course_id, host = new_id("c"), f"{new_id('h')}@example.com"
    early = new_id("B")
    await accepted(http, booking_event(early, course_id))  # before the course exists
    await accepted(http, course_event(course_id, host=host))
    late = new_id("B")
    await accepted(http, booking_event(late, course_id))

    row = await synced_meeting(pool, course_id)
    for booking_id in (early, late):
        registrant = await approved(pool, booking_id)
        assert registrant["join_url"]
    [meeting] = sandbox.meetings(host)
    assert meeting["id"] == row["meeting_id"]
    assert meeting["type"] == 2
    assert meeting["timezone"] == "Europe/Berlin"
    assert meeting["duration"] == 300
    assert meeting["start_time"] == "2031-10-13T14:00:00Z"  # 16:00 in Berlin (CEST)
    assert meeting["approval_type"] == 1
    emails = sorted(r["email"] for r in meeting["registrants"])
    assert emails == sorted(f"{b.lower()}@example.com" for b in (early, late))
    assert all(r["status"] == "approved" for r in meeting["registrants"])
    adds = [c for c in sandbox.calls(row["meeting_id"]) if c["method"] == "POST"]
    assert len(adds) == 2
