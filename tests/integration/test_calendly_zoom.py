"""Calendly → Zoom (CONTRACT §4): a mapped event type's invitees become one meeting's registrants.

Calendly events and invitees are written straight into their tables (their ingress is tested
elsewhere); the mapping API, a real worker and the sandbox Zoom do the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from service.sandbox.calendly_push import build_delivery
from tests.integration.booking_support import Sandbox, new_id, zoom_env
from tests.integration.ingress_support import calendly_deliveries
from tests.support import CALENDLY_TEST_KEY, ServiceProcess, eventually


@pytest.fixture(scope="module")
def worker_env(service_env: dict[str, str], zoom_sandbox_url: str) -> dict[str, str]:
    return zoom_env(service_env, zoom_sandbox_url)


def create_meeting(zoom_sandbox_url: str, host: str) -> int:
    with httpx.Client(base_url=zoom_sandbox_url, timeout=10) as http:
        token = http.post(
            "/oauth/token",
            params={"grant_type": "account_credentials", "account_id": "sandbox"},
            auth=("sandbox", "sandbox"),
        ).json()["access_token"]
        body = {
            "topic": "Infowebinar",
            "type": 2,
            "start_time": "2031-10-13T16:00:00",
            "timezone": "Europe/Berlin",
            "duration": 60,
            "settings": {"approval_type": 1},
        }
        response = http.post(
            f"/v2/users/{host}/meetings", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        return int(response.json()["id"])


async def add_invitees(pool: asyncpg.Pool, event_type: str, *emails: str) -> list[int]:
    start = datetime.now(UTC) + timedelta(days=3)
    event_id = await pool.fetchval(
        """
        INSERT INTO calendly_events (uri, name, status, start_time, end_time, event_type_uri,
                                     calendly_updated_at)
        VALUES ($1, 'Infowebinar', 'active', $2, $3, $4, now()) RETURNING id
        """,
        f"https://api.calendly.com/scheduled_events/{new_id()}",
        start,
        start + timedelta(hours=1),
        f"https://api.calendly.com/event_types/{event_type}",
    )
    return [
        await pool.fetchval(
            """
            INSERT INTO calendly_attendees (uri, event_id, name, email, status)
            VALUES ($1, $2, 'Erika Musterfrau', $3, 'active') RETURNING id
            """,
            f"https://api.calendly.com/invitees/{new_id()}",
            event_id,
            email,
        )
        for email in emails
    ]


async def test_mapped_invitees_are_registered_and_a_cancelled_one_is_cancelled(
    admin: httpx.AsyncClient, pool: asyncpg.Pool, zoom_sandbox_url: str, worker: ServiceProcess
) -> None:
    host, event_type = f"{new_id('h')}@example.com", new_id("et")
    meeting_id = create_meeting(zoom_sandbox_url, host)
    emails = [f"{new_id('inv')}@example.com" for _ in range(3)]
    attendees = await add_invitees(pool, event_type, *emails)

    response = await admin.put(
        f"/api/v1/calendly/event-types/{event_type}/zoom", json={"meeting_id": meeting_id}
    )
    assert response.status_code == 200
    assert response.json()["queued"] == 3

    sandbox = Sandbox(zoom_sandbox_url)

    async def registered(status: str, count: int) -> bool:
        meeting = sandbox.meeting(meeting_id) or {"registrants": []}
        return sum(r["status"] == status for r in meeting["registrants"]) == count

    await eventually(lambda: registered("approved", 3))
    await pool.execute(
        "UPDATE calendly_attendees SET status = 'canceled' WHERE id = $1", attendees[0]
    )
    response = await admin.put(
        f"/api/v1/calendly/event-types/{event_type}/zoom", json={"meeting_id": meeting_id}
    )
    assert response.json()["queued"] == 1
    await eventually(lambda: registered("denied", 1))
    adds = [
        r
        for r in sandbox.requests()
        if r["method"] == "POST" and r["path"] == f"/v2/meetings/{meeting_id}/registrants"
    ]
    assert len(adds) == 3


async def test_mapping_needs_a_meeting_id(admin: httpx.AsyncClient) -> None:
    response = await admin.put("/api/v1/calendly/event-types/x/zoom", json={"meeting_id": "abc"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "meeting_id"


async def test_invitees_booked_and_cancelled_after_mapping_follow_through_webhooks(
    admin: httpx.AsyncClient, http: httpx.AsyncClient, zoom_sandbox_url: str, worker: ServiceProcess
) -> None:
    (_, booked), *_ = calendly_deliveries("invitee.created")
    event_type = booked["scheduled_event"]["event_type"].rsplit("/", 1)[-1]
    meeting_id = create_meeting(zoom_sandbox_url, f"{new_id('h')}@example.com")
    mapped = await admin.put(
        f"/api/v1/calendly/event-types/{event_type}/zoom", json={"meeting_id": meeting_id}
    )
    assert mapped.status_code == 200
    sandbox = Sandbox(zoom_sandbox_url)

    async def registrant_status() -> str | None:
        meeting = sandbox.meeting(meeting_id) or {"registrants": []}
        statuses = [r["status"] for r in meeting["registrants"] if r["email"] == booked["email"]]
        return statuses[0] if statuses else None

    headers, body = build_delivery("invitee.created", booked, CALENDLY_TEST_KEY, datetime.now(UTC))
    assert (await http.post("/webhooks/calendly", content=body, headers=headers)).status_code == 202
    assert await eventually(registrant_status) == "approved"

    canceled = {
        **booked,
        "status": "canceled",
        "updated_at": (datetime.now(UTC) + timedelta(seconds=1)).isoformat(),
        "cancellation": {"canceled_by": booked["name"], "reason": None, "canceler_type": "invitee"},
    }
    headers, body = build_delivery(
        "invitee.canceled", canceled, CALENDLY_TEST_KEY, datetime.now(UTC)
    )
    assert (await http.post("/webhooks/calendly", content=body, headers=headers)).status_code == 202

    async def cancelled_in_zoom() -> bool:
        return await registrant_status() == "denied"

    await eventually(cancelled_in_zoom)


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/v1/calendly/event-types/ET1/zoom", {"meeting_id": 2**64}, 422),
        ("/api/v1/calendly/event-types/ET1/zoom", {"meeting_id": 0}, 422),
        ("/api/v1/calendly/event-types/ET1/zoom", {"meeting_id": 1, "extra": 1}, 422),
        ("/api/v1/calendly/event-types/ET1/zoom", {}, 422),
        ("/api/v1/calendly/event-types/%00x/zoom", {"meeting_id": 1}, 404),
    ],
)
async def test_mapping_refuses_what_cannot_be_a_meeting_or_event_type(
    admin: httpx.AsyncClient, path: str, body: dict[str, object], status: int
) -> None:
    response = await admin.put(path, json=body)
    assert response.status_code == status, response.text
