"""POST /webhooks/booking (CONTRACT §3.2): signatures, body checks, dedupe, and versioned storage.

The worker here has no Zoom credentials, so it also shows that Zoom work then waits (deferred)
instead of failing or getting lost.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from service.app import create_app
from service.config import load_settings
from service.sandbox.serve import serving
from tests.integration.booking_support import (
    booking_event,
    course_event,
    new_id,
    send_event,
    sign,
)
from tests.support import BOOKING_TEST_SECRET, ServiceProcess, eventually

NEW_SECRET = "whsec_" + base64.b64encode(b"the-rotated-booking-secret-2031").decode()


@pytest.fixture(scope="module")
def rotated_api_url(service_env: dict[str, str]) -> Iterator[str]:
    """An API that accepts the new and the old secret, as during a rotation."""
    env = {**service_env, "BOOKING_WEBHOOK_SECRETS": f"{NEW_SECRET},{BOOKING_TEST_SECRET}"}
    with serving(create_app(load_settings(env))) as url:
        yield url


@pytest.fixture
async def rotated(rotated_api_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=rotated_api_url, timeout=10) as client:
        yield client


async def post(
    http: httpx.AsyncClient, body: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await http.post("/webhooks/booking", content=body, headers=headers or sign(body))


def encoded(event: object) -> bytes:
    return json.dumps(event).encode()


async def test_signed_event_is_accepted_and_its_repeat_is_a_duplicate(
    http: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    body = encoded(course_event(new_id("c")))
    headers = sign(body)
    first = await post(http, body, headers)
    assert first.status_code == 202
    assert first.json()["status"] == "accepted"
    again = await post(http, body, headers)
    assert again.status_code == 200
    assert again.json() == {"status": "duplicate", "id": first.json()["id"]}
    stored = await pool.fetchrow("SELECT * FROM inbox WHERE id = $1", int(first.json()["id"]))
    assert stored["source"] == "booking" and stored["event_type"] == "course.upserted"


async def test_rotation_accepts_old_and_new_secret_and_several_signatures(
    rotated: httpx.AsyncClient,
) -> None:
    for secret in (NEW_SECRET, BOOKING_TEST_SECRET):
        body = encoded(course_event(new_id("c")))
        assert (await post(rotated, body, sign(body, secret))).status_code == 202
    body = encoded(course_event(new_id("c")))
    headers = sign(body, NEW_SECRET)
    unknown = sign(
        body,
        "whsec_" + base64.b64encode(b"someone-else").decode(),
        webhook_id=headers["webhook-id"],
        timestamp=int(headers["webhook-timestamp"]),
    )
    headers["webhook-signature"] = f"{unknown['webhook-signature']} {headers['webhook-signature']}"
    assert (await post(rotated, body, headers)).status_code == 202


@pytest.mark.parametrize(
    "tamper",
    ["missing", "wrong_secret", "stale", "future", "other_body", "not_v1"],
)
async def test_bad_signatures_are_401(http: httpx.AsyncClient, tamper: str) -> None:
    body = encoded(course_event(new_id("c")))
    headers = sign(body)
    if tamper == "missing":
        del headers["webhook-signature"]
    elif tamper == "wrong_secret":
        headers = sign(body, "whsec_" + base64.b64encode(b"not-our-secret").decode())
    elif tamper in ("stale", "future"):
        skew = -301 if tamper == "stale" else 301
        headers = sign(body, timestamp=int(time.time()) + skew)
    elif tamper == "other_body":
        body = body.replace(b"confirmed", b"cancelled")
    else:
        headers["webhook-signature"] = headers["webhook-signature"].replace("v1,", "v2,")
    response = await post(http, body, headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


async def test_signed_garbage_is_400_and_a_huge_body_413(http: httpx.AsyncClient) -> None:
    assert (await post(http, b"{not json")).status_code == 400
    huge = encoded({**course_event(new_id("c")), "padding": "x" * (256 * 1024)})
    assert (await post(http, huge)).status_code == 413


async def test_unknown_type_and_invalid_data_are_422_with_every_problem(
    http: httpx.AsyncClient,
) -> None:
    typo = await post(http, encoded({**course_event(new_id("c")), "type": "course.upsertd"}))
    assert typo.status_code == 422
    assert "course.upsertd" in typo.json()["error"]["message"]

    event = course_event(new_id("c"))
    course = event["data"]["course"]
    course["version"] = 0
    course["timezone"] = "Europe/Berlni"
    course["sessions"][0]["end"] = "15:00"
    del course["title"]
    response = await post(http, encoded(event))
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert fields == {
        "data.course.version",
        "data.course.timezone",
        "data.course.sessions[0].end",
        "data.course.title",
    }


async def test_stale_versions_change_nothing(
    http: httpx.AsyncClient, pool: asyncpg.Pool, worker: ServiceProcess
) -> None:
    """CONTRACT: an event whose version is not newer than the stored one changes nothing. The
    worker runs several threads, so events sent together may be applied in either order: the
    newest versions are stored first, then the stale and the equal ones arrive."""
    course_id, booking_id = new_id("c"), new_id("B")

    async def send_and_wait(*events: dict[str, Any]) -> None:
        for event in events:
            assert (await send_event(http, event)).status_code == 202

        async def all_processed() -> bool:
            pending = await pool.fetchval(
                """
                SELECT count(*) FROM inbox WHERE status = 'pending'
                   AND (payload -> 'data' -> 'course' ->> 'id' = $1
                        OR payload -> 'data' -> 'booking' ->> 'id' = $2)
                """,
                course_id,
                booking_id,
            )
            return pending == 0

        await eventually(all_processed)

    await send_and_wait(
        course_event(course_id, version=3, title="Version drei"),
        booking_event(booking_id, course_id, version=2, email="new@example.com"),
    )
    await send_and_wait(
        course_event(course_id, version=2, title="Version zwei"),
        course_event(course_id, version=3, title="Version drei, nochmal"),
        booking_event(booking_id, course_id, version=1, email="old@example.com"),
    )
    course = await pool.fetchrow("SELECT version, title FROM courses WHERE id = $1", course_id)
    assert (course["version"], course["title"]) == (3, "Version drei")
    booking = await pool.fetchrow("SELECT version, email FROM bookings WHERE id = $1", booking_id)
    assert (booking["version"], booking["email"]) == (2, "new@example.com")


async def test_booking_before_its_course_is_kept_and_zoom_work_waits_without_credentials(
    http: httpx.AsyncClient, pool: asyncpg.Pool, worker: ServiceProcess
) -> None:
    course_id, booking_id = new_id("c"), new_id("B")
    assert (await send_event(http, booking_event(booking_id, course_id))).status_code == 202

    async def booking_stored() -> bool:
        return bool(await pool.fetchval("SELECT 1 FROM bookings WHERE id = $1", booking_id))

    await eventually(booking_stored)
    assert await pool.fetchval("SELECT count(*) FROM courses WHERE id = $1", course_id) == 0

    assert (await send_event(http, course_event(course_id))).status_code == 202

    async def deferred() -> asyncpg.Record | None:
        row = await pool.fetchrow(
            "SELECT * FROM outbox WHERE subject = $1 AND command = 'sync_meeting'",
            f"course:{course_id}",
        )
        return row if row is not None and row["last_error"] else None

    row = await eventually(deferred)
    assert row["status"] == "pending" and row["attempts"] == 0
    assert row["not_before"] > await pool.fetchval("SELECT now() + interval '4 minutes'")
    assert "credentials" in row["last_error"]
    dead = await pool.fetchval(
        "SELECT count(*) FROM dead_letters WHERE queue = 'outbox' AND ref_id = $1", row["id"]
    )
    assert dead == 0
