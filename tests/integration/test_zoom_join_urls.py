"""Registrants get their join URL whether or not Zoom's add answers with one, at about one call
per registrant: the missing URLs are read in pages of the meeting's registrant list (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
import httpx
import pytest

from tests.integration.booking_support import (
    Sandbox,
    booking_event,
    course_event,
    new_id,
    registrant_row,
    send_event,
    zoom_env,
)
from tests.support import ServiceProcess, eventually

BOOKINGS = 6


@pytest.fixture(scope="module")
def workers(service_env: dict[str, str], zoom_sandbox_url: str) -> Iterator[None]:
    env = zoom_env(service_env, zoom_sandbox_url)
    processes = [
        ServiceProcess(["worker", "--threads", "4"], env).start(),
        ServiceProcess(["scheduler"], env).start(),
    ]
    yield
    for process in processes:
        process.stop()


@pytest.mark.parametrize("add_returns_join_url", [True, False])
async def test_every_registrant_gets_its_join_url_with_one_add_and_no_get_each(
    http: httpx.AsyncClient,
    pool: asyncpg.Pool,
    zoom_sandbox_url: str,
    workers: None,
    add_returns_join_url: bool,
) -> None:
    sandbox = Sandbox(zoom_sandbox_url)
    sandbox.settings(add_returns_join_url=add_returns_join_url)
    try:
        course_id, host = new_id("c"), f"{new_id('h')}@example.com"
        bookings = [new_id("B") for _ in range(BOOKINGS)]
        events = [course_event(course_id, host=host)]
        events += [booking_event(b, course_id) for b in bookings]
        for event in events:
            assert (await send_event(http, event)).status_code == 202

        async def all_with_join_urls() -> list[dict[str, object]] | None:
            rows = [await registrant_row(pool, b) for b in bookings]
            done = all(r and r["state"] == "done" and r["join_url"] for r in rows)
            return [dict(r) for r in rows if r] if done else None

        rows = await eventually(all_with_join_urls)
        [meeting] = sandbox.meetings(host)
        assert meeting["approval_type"] == 1  # Zoom leaves join_url out of such adds
        in_zoom = {r["id"]: r["join_url"] for r in meeting["registrants"]}
        assert {str(r["registrant_id"]): r["join_url"] for r in rows} == in_zoom
        calls = sandbox.calls(meeting_id=meeting["id"])
        adds = [c for c in calls if c["method"] == "POST" and c["path"].endswith("/registrants")]
        gets = [c for c in calls if c["method"] == "GET" and "/registrants/" in c["path"]]
        lists = [c for c in calls if c["method"] == "GET" and c["path"].endswith("/registrants")]
        assert len(adds) == BOOKINGS and gets == []
        if add_returns_join_url:
            assert lists == []
        else:
            assert 1 <= len(lists) < BOOKINGS  # pages of the list, not one call per registrant
    finally:
        sandbox.settings(add_returns_join_url=True)
