"""The teacher pipeline as bookings (via the sync) and admin attendance marks move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from tests.integration.admin_support import make_user, pipeline_status, unique
from tests.integration.calendly_sandbox import (
    Sandbox,
    sandbox_fixture,  # noqa: F401 - the `sandbox` fixture
    sandbox_settings,
    sandbox_url_fixture,  # noqa: F401 - the `sandbox_url` fixture
    sync_now,
)

BESUCHEN, GEBUCHT, NICHT_TEILGENOMMEN, SCHULE_AKTIV = 4, 6, 7, 8


async def _book(sandbox: Sandbox, email: str) -> dict[str, object]:
    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    event = await sandbox.post("events", {"start_time": start.isoformat(), "max_invitees": 5})
    booked = await sandbox.post(
        "invitees", {"event": event["resource"]["uri"], "name": "Lehrkraft", "email": email}
    )
    resource: dict[str, object] = booked["resource"]
    return resource


async def _attendee_id(pool: asyncpg.Pool, uri: object) -> int:
    async with pool.acquire() as conn:
        return int(await conn.fetchval("SELECT id FROM calendly_attendees WHERE uri = $1", uri))


async def _mark(admin: httpx.AsyncClient, attendee_id: int, attended: bool | None) -> None:
    response = await admin.put(
        "/api/v1/attendees/attendance",
        json={"updates": [{"attendee_id": attendee_id, "attended": attended}]},
    )
    assert response.status_code == 200, response.text


async def test_booked_then_attended_is_school_active_and_never_lowered(
    admin: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, service_env: dict[str, str]
) -> None:
    email = f"{unique('teacher')}@schule.de"
    user_id = await make_user(pool, "Petra Schön", email)
    assert await pipeline_status(pool, user_id) == BESUCHEN
    invitee = await _book(sandbox, email.upper())  # emails match without case
    await sync_now(pool, sandbox_settings(sandbox, service_env))
    assert await pipeline_status(pool, user_id) == GEBUCHT

    attendee_id = await _attendee_id(pool, invitee["uri"])
    await _mark(admin, attendee_id, True)
    assert await pipeline_status(pool, user_id) == SCHULE_AKTIV
    user = (await admin.get(f"/api/v1/users/{user_id}")).json()
    assert user["pipeline_status"] == "schule_aktiv"

    await _mark(admin, attendee_id, False)
    await _mark(admin, attendee_id, None)
    assert await pipeline_status(pool, user_id) == SCHULE_AKTIV
    async with pool.acquire() as conn:
        moves = await conn.fetch(
            "SELECT from_status, to_status FROM pipeline_transitions WHERE user_id = $1 "
            "ORDER BY id",
            user_id,
        )
    assert [(m["from_status"], m["to_status"]) for m in moves] == [
        (BESUCHEN, GEBUCHT),
        (GEBUCHT, SCHULE_AKTIV),
    ]


async def test_not_attended_then_pending_again(
    admin: httpx.AsyncClient, pool: asyncpg.Pool, sandbox: Sandbox, service_env: dict[str, str]
) -> None:
    email = f"{unique('teacher')}@schule.de"
    user_id = await make_user(pool, "Karl Kühn", email)
    invitee = await _book(sandbox, email)
    await sync_now(pool, sandbox_settings(sandbox, service_env))
    attendee_id = await _attendee_id(pool, invitee["uri"])
    await _mark(admin, attendee_id, False)
    assert await pipeline_status(pool, user_id) == NICHT_TEILGENOMMEN
    await _mark(admin, attendee_id, None)  # a wrong mark taken back
    assert await pipeline_status(pool, user_id) == GEBUCHT


async def test_cancelling_the_only_booking_goes_back_to_visit(
    pool: asyncpg.Pool, sandbox: Sandbox, service_env: dict[str, str]
) -> None:
    email = f"{unique('teacher')}@schule.de"
    user_id = await make_user(pool, "Lena Weiß", email)
    invitee = await _book(sandbox, email)
    settings = sandbox_settings(sandbox, service_env)
    await sync_now(pool, settings)
    assert await pipeline_status(pool, user_id) == GEBUCHT
    await sandbox.post(f"invitees/{str(invitee['uri']).rpartition('/')[2]}/cancel")
    _, outcome = await sync_now(pool, settings)
    assert outcome.counts.updated >= 1
    assert await pipeline_status(pool, user_id) == BESUCHEN
