"""A Zoom command slower than its lease runs once; a replayed refusal really reaches Zoom
(CONTRACT §5, last rule) — real workers, a real scheduler and the sandbox Zoom."""

from __future__ import annotations

import asyncpg
import httpx

from tests.fault.zoom_fault_support import (
    Spawn,
    all_approved,
    registrant_adds,
    send_all,
    start_workers,
)
from tests.integration.booking_support import (
    Sandbox,
    booking_event,
    course_event,
    meeting_row,
    new_id,
    registrant_row,
)
from tests.support import eventually

LEASE_SECONDS = 5


async def meeting_id_of(pool: asyncpg.Pool, course_id: str) -> int:
    async def known() -> int | None:
        row = await meeting_row(pool, course_id)
        return row["meeting_id"] if row and row["meeting_id"] else None

    return await eventually(known)


async def test_a_command_slower_than_its_lease_calls_zoom_once(
    http: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, spawn: Spawn, env: dict[str, str]
) -> None:
    env = {**env, "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS)}
    start_workers(spawn, env, count=2)
    course_id, host, booking_id = new_id("c"), f"{new_id('h')}@example.com", new_id("B")
    await send_all(http, course_event(course_id, host=host))
    meeting_id = await meeting_id_of(pool, course_id)
    # Zoom takes almost twice the lease to answer the add (within the client's timeout).
    # Without renewal the relay takes the command back after the lease and hands it to the
    # other worker, which looks the registrant up and may add it a second time.
    sandbox.fault(method="POST", path="/registrants$", delay_seconds=2 * LEASE_SECONDS - 0.5)
    earlier = len(sandbox.calls(meeting_id))
    await send_all(http, booking_event(booking_id, course_id))

    await all_approved(pool, [booking_id], within=40)
    calls = [(c["method"], c["status"]) for c in sandbox.calls(meeting_id)[earlier:]]
    assert calls == [("POST", 201)]  # one add, and no second worker looked it up
    [registrant] = sandbox.meetings(host)[0]["registrants"]
    assert registrant["email"] == f"{booking_id.lower()}@example.com"
    outbox = await pool.fetch(
        "SELECT status, last_error, attempts FROM outbox WHERE subject = $1",
        f"booking:{booking_id}",
    )
    assert [tuple(r) for r in outbox] == [("done", None, 0)]


async def test_a_replayed_refusal_sends_the_registrant_to_zoom_again(
    admin: httpx.AsyncClient,
    pool: asyncpg.Pool,
    sandbox: Sandbox,
    spawn: Spawn,
    env: dict[str, str],
) -> None:
    http = admin
    start_workers(spawn, env)
    course_id, host, booking_id = new_id("c"), f"{new_id('h')}@example.com", new_id("B")
    await send_all(http, course_event(course_id, host=host))
    meeting_id = await meeting_id_of(pool, course_id)
    refusal = {"code": 300, "message": "Invalid field."}
    sandbox.fault(method="POST", path="/registrants$", status=400, body=refusal)
    await send_all(http, booking_event(booking_id, course_id))

    async def letter() -> int | None:
        found: int | None = await pool.fetchval(
            "SELECT id FROM dead_letters WHERE queue = 'outbox' AND status = 'open' "
            "AND payload ->> 'subject' = $1",
            f"booking:{booking_id}",
        )
        return found

    letter_id = await eventually(letter)
    row = await registrant_row(pool, booking_id)
    assert row is not None and row["state"] == "failed"
    assert sandbox.meetings(host)[0]["registrants"] == []

    # The cause is fixed (the fault is spent); ops replay the letter.
    replayed = await admin.post(f"/api/v1/ops/dead-letters/{letter_id}/replay")
    assert replayed.status_code == 200, replayed.text

    await all_approved(pool, [booking_id])
    [registrant] = sandbox.meetings(host)[0]["registrants"]
    assert registrant["email"] == f"{booking_id.lower()}@example.com"
    assert len(registrant_adds(sandbox, meeting_id)) == 2  # the refused one, and the replay
