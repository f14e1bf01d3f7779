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
    booking_cancelled,
    booking_event,
    course_cancelled,
    course_event,
    meeting_row,
    new_id,
    registrant_row,
    send_event,
    zoom_calls_for,
    zoom_env,
)
from tests.support import ServiceProcess, eventually


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


@pytest.fixture
def sandbox(zoom_sandbox_url: str, workers: None) -> Sandbox:
    return Sandbox(zoom_sandbox_url)


async def course_detail(admin: httpx.AsyncClient, course_id: str) -> dict[str, Any]:
    """The course as the API shows it; empty until the worker stored it."""
    response = await admin.get(f"/api/v1/courses/{course_id}")
    return dict(response.json()) if response.status_code == 200 else {}


async def course_errors(admin: httpx.AsyncClient, course_id: str) -> list[dict[str, str]]:
    return list((await course_detail(admin, course_id)).get("zoom", {}).get("errors", []))


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


async def test_sessions_with_the_same_times_become_one_recurring_meeting_on_exactly_their_dates(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox
) -> None:
    course_id, host = new_id("c"), f"{new_id('h')}@example.com"
    sessions = [(day, "16:00", "21:00") for day in ("2031-10-13", "2031-10-15", "2031-10-17")]
    await accepted(http, course_event(course_id, host=host, sessions=sessions))

    row = await synced_meeting(pool, course_id)
    [meeting] = sandbox.meetings(host)
    assert meeting["type"] == 8
    assert [o["start_time"] for o in meeting["occurrences"]] == [
        "2031-10-13T14:00:00Z",
        "2031-10-15T14:00:00Z",
        "2031-10-17T14:00:00Z",
    ]
    assert len(row["occurrences"]) == 3

    async def decided() -> dict[str, Any] | None:  # the decision after the create commits apart
        settled = await meeting_row(pool, course_id)
        return settled if settled and settled["sync_status"] != "pending" else None

    settled = await eventually(decided)
    assert settled["sync_status"] == "ok" and settled["errors"] == []


async def test_cancelled_booking_is_cancelled_in_zoom_and_approved_again_when_rebooked(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox
) -> None:
    course_id, host, booking_id = new_id("c"), f"{new_id('h')}@example.com", new_id("B")
    await accepted(http, course_event(course_id, host=host))
    await accepted(http, booking_event(booking_id, course_id))
    first = await approved(pool, booking_id)

    await accepted(http, booking_cancelled(booking_id, course_id, version=2))

    async def cancelled() -> bool:
        row = await registrant_row(pool, booking_id)
        return bool(row and row["zoom_status"] == "cancelled" and row["state"] == "done")

    await eventually(cancelled)
    [meeting] = sandbox.meetings(host)
    assert [r["status"] for r in meeting["registrants"]] == ["denied"]

    await accepted(http, booking_event(booking_id, course_id, version=3))
    again = await approved(pool, booking_id)
    assert again["registrant_id"] == first["registrant_id"]
    [meeting] = sandbox.meetings(host)
    assert [r["status"] for r in meeting["registrants"]] == ["approved"]
    calls = sandbox.calls(first["meeting_id"])
    assert [c["method"] for c in calls if "/registrants" in c["path"]] == ["POST", "PUT", "PUT"]
    assert [c["body"]["action"] for c in calls if c["method"] == "PUT"] == ["cancel", "approve"]


async def test_title_change_updates_once_and_a_change_zoom_does_not_see_makes_no_call(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox
) -> None:
    course_id, host = new_id("c"), f"{new_id('h')}@example.com"
    await accepted(http, course_event(course_id, host=host))
    row = await synced_meeting(pool, course_id)

    await accepted(http, course_event(course_id, host=host, version=2, title="Neuer Titel"))

    async def topic_changed() -> bool:
        meeting = sandbox.meeting(row["meeting_id"])
        return meeting is not None and meeting["topic"] == "Neuer Titel"

    await eventually(topic_changed)
    patches = [c for c in sandbox.calls(row["meeting_id"]) if c["method"] == "PATCH"]
    assert [p["body"] for p in patches] == [{"topic": "Neuer Titel"}]

    # A new version whose change Zoom doesn't see (a trainer's e-mail): stored, no call.
    trainers = [
        {
            "id": "t-3",
            "name": "Alexei Daiter",
            "email": "new@example.com",
            "zoom_user": None,
            "moderator": False,
        }
    ]
    event = course_event(course_id, host=host, version=3, title="Neuer Titel", trainers=trainers)
    await accepted(http, event)

    async def stored() -> bool:
        return await pool.fetchval("SELECT version FROM courses WHERE id = $1", course_id) == 3

    await eventually(stored)
    await eventually(lambda: _outbox_idle(pool, course_id))
    calls = sandbox.calls(row["meeting_id"])
    assert [c["method"] for c in calls] == ["PATCH"]


async def _outbox_idle(pool: asyncpg.Pool, course_id: str) -> bool:
    busy = await pool.fetchval(
        """
        SELECT count(*) FROM outbox
         WHERE status IN ('pending', 'in_flight') AND cause ->> 'course_id' = $1
        """,
        course_id,
    )
    pending_inbox = await pool.fetchval("SELECT count(*) FROM inbox WHERE status = 'pending'")
    return busy == 0 and pending_inbox == 0


async def test_cancelled_course_loses_its_meeting_and_its_bookings_are_cancelled(
    http: httpx.AsyncClient, admin: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox
) -> None:
    course_id, host, booking_id = new_id("c"), f"{new_id('h')}@example.com", new_id("B")
    await accepted(http, course_event(course_id, host=host))
    await accepted(http, booking_event(booking_id, course_id))
    registrant = await approved(pool, booking_id)

    await accepted(http, course_cancelled(course_id, version=2))

    async def deleted() -> bool:
        row = await meeting_row(pool, course_id)
        return bool(row and row["deleted_at"] is not None)

    await eventually(deleted)
    assert sandbox.meetings(host) == []
    assert registrant["meeting_id"] in sandbox.state()["deleted_meeting_ids"]
    detail = (await admin.get(f"/api/v1/courses/{course_id}")).json()
    assert detail["status"] == "cancelled"
    assert detail["zoom"]["meeting_id"] is None
    assert [b["status"] for b in detail["bookings"]] == ["cancelled"]


async def test_moderator_change_after_the_first_sync_is_reported_not_propagated(
    http: httpx.AsyncClient, admin: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox
) -> None:
    course_id, host = new_id("c"), f"{new_id('h')}@example.com"
    await accepted(http, course_event(course_id, host=host))
    row = await synced_meeting(pool, course_id)

    other = f"{new_id('h')}@example.com"
    await accepted(http, course_event(course_id, host=other, version=2))

    async def reported() -> list[dict[str, str]]:
        errors = await course_errors(admin, course_id)
        return [e for e in errors if e["code"] == "moderator_changed"]

    [error] = await eventually(reported)
    assert host in error["message"] and other in error["message"]
    notes = (await admin.get("/api/v1/notifications")).json()["items"]
    assert any(n["subject"] == f"course:{course_id}" and other in n["message"] for n in notes)
    assert sandbox.meetings(other) == []
    assert [m["id"] for m in sandbox.meetings(host)] == [row["meeting_id"]]


async def test_invalid_course_gets_every_problem_a_notification_and_no_zoom_call(
    http: httpx.AsyncClient, admin: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox
) -> None:
    course_id = new_id("c")
    event = course_event(
        course_id,
        sessions=[("2031-10-13", "16:00", "21:00"), ("2031-10-15", "09:00", "12:00")],
        moderator="trainer",
    )
    await accepted(http, event)

    found = await eventually(lambda: course_errors(admin, course_id))
    assert {e["code"] for e in found} == {"moderator_trainer_missing", "session_times_differ"}
    assert "no trainer in the course is marked as moderator" in found[0]["message"]
    detail = (await admin.get(f"/api/v1/courses/{course_id}")).json()
    assert detail["zoom"]["sync_status"] == "failed"
    notes = (await admin.get("/api/v1/notifications", params={"kind": "validation"})).json()
    assert any(n["subject"] == f"course:{course_id}" for n in notes["items"])
    await eventually(lambda: _outbox_idle(pool, course_id))
    assert await zoom_calls_for(pool, course_id) == 0


async def test_host_busy_elsewhere_at_an_overlapping_time_is_a_validation_error(
    http: httpx.AsyncClient, admin: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox
) -> None:
    host = f"{new_id('h')}@example.com"
    first, second = new_id("c"), new_id("c")
    await accepted(http, course_event(first, host=host))
    await synced_meeting(pool, first)
    await accepted(
        http, course_event(second, host=host.upper(), sessions=[("2031-10-13", "20:00", "22:00")])
    )

    [error] = await eventually(lambda: course_errors(admin, second))
    assert error["code"] == "host_busy"
    assert f"already hosts course {first}" in error["message"]
    assert await zoom_calls_for(pool, second) == 0


async def test_booking_problems_stay_on_their_booking_while_the_others_go_on(
    http: httpx.AsyncClient, admin: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox
) -> None:
    course_id, host = new_id("c"), f"{new_id('h')}@example.com"
    await accepted(http, course_event(course_id, host=host, max_participants=2))
    await synced_meeting(pool, course_id)
    host_booking, umlaut, first, second, third = (new_id("B") for _ in range(5))
    await accepted(http, booking_event(host_booking, course_id, email=host))
    await accepted(http, booking_event(umlaut, course_id, email="jürgen@example.com"))
    for booking_id in (first, second, third):
        await accepted(http, booking_event(booking_id, course_id))
    await approved(pool, first)
    await approved(pool, second)

    async def booking_errors() -> dict[str, list[str]]:
        detail = await course_detail(admin, course_id)
        found = {b["id"]: [e["code"] for e in b["errors"]] for b in detail.get("bookings", [])}
        return found if len([codes for codes in found.values() if codes]) == 3 else {}

    errors = await eventually(booking_errors)
    assert errors == {
        host_booking: ["host_booked"],
        umlaut: ["email_not_accepted"],
        first: [],
        second: [],
        third: ["over_capacity"],
    }
    # A freed seat goes to the next booking in line.
    await accepted(http, booking_cancelled(first, course_id, version=2))
    await approved(pool, third)
    expected = sorted(f"{b.lower()}@example.com" for b in (second, third))

    async def zoom_approves_second_and_third() -> bool:
        # Cancelling `first` and approving `third` are separate commands: wait for both.
        [meeting] = sandbox.meetings(host)
        emails = [r["email"] for r in meeting["registrants"] if r["status"] == "approved"]
        return sorted(emails) == expected

    await eventually(zoom_approves_second_and_third)


async def test_seats_follow_the_booking_systems_order_not_arrival_order(
    http: httpx.AsyncClient, admin: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    course_id, host = new_id("c"), f"{new_id('h')}@example.com"
    await accepted(http, course_event(course_id, host=host, max_participants=2))
    await synced_meeting(pool, course_id)
    early, middle, late = (new_id("B") for _ in range(3))
    events = [booking_event(booking_id, course_id) for booking_id in (early, middle, late)]
    for event in reversed(events):  # delivered newest first
        await accepted(http, event)
    await approved(pool, early)
    await approved(pool, middle)

    async def late_is_over_capacity() -> bool:
        detail = await course_detail(admin, course_id)
        codes = {b["id"]: [e["code"] for e in b["errors"]] for b in detail.get("bookings", [])}
        return codes.get(late) == ["over_capacity"]

    await eventually(late_is_over_capacity)


JOIN_URL_BOOKINGS = 6


@pytest.mark.parametrize("add_returns_join_url", [True, False])
async def test_every_registrant_gets_its_join_url_with_one_add_and_no_get_each(
    http: httpx.AsyncClient,
    pool: asyncpg.Pool,
    sandbox: Sandbox,
    add_returns_join_url: bool,
) -> None:
    """Zoom leaves join_url out of an add for our meetings (approval_type 1): the missing URLs
    are read in pages of the registrant list, so it stays about one call per registrant."""
    sandbox.settings(add_returns_join_url=add_returns_join_url)
    try:
        course_id, host = new_id("c"), f"{new_id('h')}@example.com"
        bookings = [new_id("B") for _ in range(JOIN_URL_BOOKINGS)]
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
        adds = [  # answered: a 429 (a busy machine's jitter) is retried
            c
            for c in calls
            if c["method"] == "POST" and c["path"].endswith("/registrants") and c["status"] == 201
        ]
        gets = [c for c in calls if c["method"] == "GET" and "/registrants/" in c["path"]]
        lists = [  # reads of join URLs (a look-up after a lost answer lists the denied too)
            c
            for c in calls
            if c["method"] == "GET"
            and c["path"].endswith("/registrants")
            and "status=approved" in c["query"]
        ]
        assert len(adds) == JOIN_URL_BOOKINGS and gets == []
        # Pages of the list, not one call per registrant (with the URL in the add there is
        # nothing to read; a look-up after a lost answer on a busy machine may list them).
        assert len(lists) < JOIN_URL_BOOKINGS
    finally:
        sandbox.settings(add_returns_join_url=True)
