"""POST /webhooks/calendly and its processing by a real worker (CONTRACT §3.1)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from service.app import create_app
from service.config import load_settings
from service.sandbox.calendly_push import build_delivery, signature_header
from service.sandbox.serve import serving
from tests.integration.ingress_support import calendly_deliveries
from tests.support import CALENDLY_TEST_KEY, ServiceProcess, eventually


async def post(
    http: httpx.AsyncClient,
    event: str,
    payload: dict[str, Any],
    *,
    key: str = CALENDLY_TEST_KEY,
    created_at: datetime | None = None,
) -> httpx.Response:
    headers, body = build_delivery(event, payload, key, datetime.now(UTC), created_at=created_at)
    return await http.post("/webhooks/calendly", content=body, headers=headers)


async def attendee(pool: asyncpg.Pool, uri: str) -> asyncpg.Record | None:
    async with pool.acquire() as conn:
        return await conn.fetchrow(
            """
            SELECT a.*, e.uri AS event_uri, e.name AS event_name,
                   e.location_join_url, e.status AS event_status
              FROM calendly_attendees a JOIN calendly_events e ON e.id = a.event_id
             WHERE a.uri = $1
            """,
            uri,
        )


async def inbox_count(pool: asyncpg.Pool) -> int:
    async with pool.acquire() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM inbox WHERE source = 'calendly'"))


async def processed(pool: asyncpg.Pool, ids: list[str]) -> bool:
    async with pool.acquire() as conn:
        done = await conn.fetchval(
            "SELECT count(*) FROM inbox WHERE id = ANY($1::bigint[]) AND status = 'done'",
            [int(i) for i in ids],
        )
    return bool(done == len(ids))


# -- signatures -----------------------------------------------------------------------------


def _signed(body: bytes, key: str, at: datetime) -> dict[str, str]:
    return {
        "Calendly-Webhook-Signature": signature_header(body, key, int(at.timestamp())),
        "Content-Type": "application/json",
    }


def _body() -> bytes:
    (event, payload), *_ = calendly_deliveries("invitee.created")
    return json.dumps(
        {"event": event, "created_at": "2026-11-01T10:00:00Z", "payload": payload}
    ).encode()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("valid", 202),
        ("wrong key", 401),
        ("tampered body", 401),
        ("stale timestamp", 401),
        ("slightly future timestamp", 202),
        ("far future timestamp", 401),
        ("missing header", 401),
        ("malformed header", 401),
    ],
)
async def test_signature_vectors(http: httpx.AsyncClient, case: str, expected: int) -> None:
    body, now = _body(), datetime.now(UTC)
    headers = _signed(body, CALENDLY_TEST_KEY, now)
    if case == "wrong key":
        headers = _signed(body, "another-key", now)
    elif case == "tampered body":
        body = body.replace(b"active", b"canceled", 1)
    elif case == "stale timestamp":
        headers = _signed(body, CALENDLY_TEST_KEY, now - timedelta(seconds=181))
    elif case == "slightly future timestamp":
        headers = _signed(body, CALENDLY_TEST_KEY, now + timedelta(seconds=60))
    elif case == "far future timestamp":
        headers = _signed(body, CALENDLY_TEST_KEY, now + timedelta(seconds=181))
    elif case == "missing header":
        del headers["Calendly-Webhook-Signature"]
    elif case == "malformed header":
        headers["Calendly-Webhook-Signature"] = "v1=abc,t=notanumber"
    response = await http.post("/webhooks/calendly", content=body, headers=headers)
    assert response.status_code == expected
    if expected == 401:
        assert response.json()["error"]["code"] == "unauthenticated"


async def test_every_configured_key_is_accepted_for_rotation(
    database_url: str, service_env: dict[str, str]
) -> None:
    env = {**service_env, "CALENDLY_WEBHOOK_SIGNING_KEYS": f"retiring-key, {CALENDLY_TEST_KEY}"}
    with serving(create_app(load_settings(env))) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            for key in ("retiring-key", CALENDLY_TEST_KEY):
                body = _body()
                response = await client.post(
                    "/webhooks/calendly",
                    content=body,
                    headers=_signed(body, key, datetime.now(UTC)),
                )
                assert response.status_code == 202


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"not json at all", 400, "body is not JSON"),
        (b"[1, 2, 3]", 400, "body is not a JSON object"),
        (b'{"payload": {}}', 400, "event is missing"),
        (b'{"event": "invitee.created"}', 400, "payload is missing"),
        (b'{"event": "invitee.created", "payload": {"name": "x"}}', 400, "without payload.uri"),
        (b'{"event": "invitee.created", "payload": {"uri": NaN}}', 400, "NaN"),
        (b"{" + b'"pad": "' + b"x" * (256 * 1024) + b'"}', 413, "larger than 256 KiB"),
    ],
)
async def test_bad_bodies_get_clear_errors_and_store_nothing(
    http: httpx.AsyncClient, pool: asyncpg.Pool, body: bytes, status: int, message: str
) -> None:
    before = await inbox_count(pool)
    response = await http.post(
        "/webhooks/calendly",
        content=body,
        headers=_signed(body, CALENDLY_TEST_KEY, datetime.now(UTC)),
    )
    assert response.status_code == status
    assert message in response.json()["error"]["message"]
    assert await inbox_count(pool) == before


async def test_an_unhandled_event_type_is_stored_and_ignored(
    http: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    payload = {"uri": f"https://api.calendly.com/routing_form_submissions/{uuid.uuid4()}"}
    response = await post(http, "routing_form_submission.created", payload)
    assert response.status_code == 202
    assert response.json()["status"] == "ignored"
    async with pool.acquire() as conn:
        status = await conn.fetchval(
            "SELECT status FROM inbox WHERE id = $1", int(response.json()["id"])
        )
    assert status == "ignored"


# -- processing -----------------------------------------------------------------------------


async def test_the_same_delivery_three_times_is_stored_and_applied_once(
    http: httpx.AsyncClient, pool: asyncpg.Pool, worker: ServiceProcess
) -> None:
    (event, payload), *_ = calendly_deliveries("invitee.created")
    created_at = datetime.now(UTC)
    answers = [await post(http, event, payload, created_at=created_at) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 200, 200]
    assert [a.json()["status"] for a in answers] == ["accepted", "duplicate", "duplicate"]
    assert len({a.json()["id"] for a in answers}) == 1
    await eventually(lambda: processed(pool, [answers[0].json()["id"]]))
    row = await attendee(pool, payload["uri"])
    assert row is not None
    assert (row["name"], row["email"], row["status"]) == (
        payload["name"],
        payload["email"],
        "active",
    )
    assert row["event_uri"] == payload["scheduled_event"]["uri"]
    assert row["location_join_url"] == payload["scheduled_event"]["location"]["join_url"]
    assert row["attended"] is None


async def test_a_cancel_arriving_before_its_create_stays_cancelled(
    http: httpx.AsyncClient, pool: asyncpg.Pool, worker: ServiceProcess
) -> None:
    (_, canceled), *_ = calendly_deliveries("invitee.canceled")
    created = {
        **canceled,
        "status": "active",
        "cancellation": None,
        "updated_at": canceled["created_at"],
    }
    first = await post(http, "invitee.canceled", canceled)
    await eventually(lambda: processed(pool, [first.json()["id"]]))
    second = await post(http, "invitee.created", created)
    await eventually(lambda: processed(pool, [second.json()["id"]]))
    row = await attendee(pool, canceled["uri"])
    assert row is not None and row["status"] == "canceled"
    assert row["cancellation"]["reason"] == "Schedule conflict"


@pytest.mark.parametrize("order", ["canceled first", "created first"])
async def test_a_reschedule_converges_in_either_order(
    http: httpx.AsyncClient, pool: asyncpg.Pool, worker: ServiceProcess, order: str
) -> None:
    (cancel_event, old), (create_event, new) = calendly_deliveries(
        "invitee.created", reschedule=True
    )
    pairs = [(cancel_event, old), (create_event, new)]
    if order == "created first":
        pairs.reverse()
    for event, payload in pairs:
        answer = await post(http, event, payload)
        await eventually(lambda answer=answer: processed(pool, [answer.json()["id"]]))
    old_row, new_row = await attendee(pool, old["uri"]), await attendee(pool, new["uri"])
    assert old_row is not None and new_row is not None
    assert (old_row["status"], old_row["rescheduled_to"]) == ("canceled", new["uri"])
    assert (new_row["status"], new_row["rescheduled_from"]) == ("active", old["uri"])


async def test_a_group_event_with_30_invitees_is_one_event_with_30_attendees(
    http: httpx.AsyncClient, pool: asyncpg.Pool, worker: ServiceProcess
) -> None:
    group = calendly_deliveries("invitee.created", count=30, group=30)
    answers = [await post(http, event, payload) for event, payload in group]
    assert {a.status_code for a in answers} == {202}
    await eventually(lambda: processed(pool, [a.json()["id"] for a in answers]))
    event_uri = group[0][1]["scheduled_event"]["uri"]
    async with pool.acquire() as conn:
        events = await conn.fetchval(
            "SELECT count(*) FROM calendly_events WHERE uri = $1", event_uri
        )
        attendees = await conn.fetchval(
            """
            SELECT count(*) FROM calendly_attendees a JOIN calendly_events e ON e.id = a.event_id
             WHERE e.uri = $1
            """,
            event_uri,
        )
    assert (events, attendees) == (1, 30)


async def test_no_show_marks_not_attended_and_its_removal_makes_it_pending_again(
    http: httpx.AsyncClient, pool: asyncpg.Pool, worker: ServiceProcess
) -> None:
    (_, marked), *_ = calendly_deliveries("invitee_no_show.created")
    booked = await post(http, "invitee.created", {**marked, "no_show": None})
    no_show = await post(http, "invitee_no_show.created", marked)
    await eventually(lambda: processed(pool, [booked.json()["id"], no_show.json()["id"]]))
    row = await attendee(pool, marked["uri"])
    assert row is not None and row["attended"] is False
    removed = await post(
        http,
        "invitee_no_show.deleted",
        {**marked, "no_show": None},
        created_at=datetime.now(UTC) + timedelta(seconds=1),
    )
    await eventually(lambda: processed(pool, [removed.json()["id"]]))
    row = await attendee(pool, marked["uri"])
    assert row is not None and row["attended"] is None
