"""POST /webhooks/zoom (CONTRACT §3.3) and the ops reads: integration log, inbox (§5 Ops)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from service.adapters.broker import Courier, create_broker
from service.adapters.integration_log import PostgresCallRecorder
from service.adapters.vendor_calls import VendorCall
from service.workers.retention import prune_old_records
from service.workers.runtime import LazyRuntime
from tests.integration.ingress_support import ZOOM_SECRET, ingress_api


@pytest.fixture(scope="module")
def zoom_api_url(service_env: dict[str, str]) -> Iterator[str]:
    """An API that knows ZOOM_WEBHOOK_SECRET_TOKEN (the session's API does not)."""
    with ingress_api(service_env) as url:
        yield url


@pytest.fixture
async def zoom_http(zoom_api_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=zoom_api_url, timeout=10) as client:
        yield client


def zoom_signed(
    body: bytes, *, secret: str = ZOOM_SECRET, at: float | None = None
) -> dict[str, str]:
    stamp = str(int(at if at is not None else time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {
        "x-zm-request-timestamp": stamp,
        "x-zm-signature": f"v0={digest}",
        "content-type": "application/json",
    }


def zoom_event(event: str, meeting_id: int, **object_fields: Any) -> bytes:
    return json.dumps(
        {
            "event": event,
            "event_ts": int(time.time() * 1000),
            "payload": {"account_id": "acc", "object": {"id": meeting_id, **object_fields}},
        }
    ).encode()


async def test_zoom_url_validation_challenge(zoom_http: httpx.AsyncClient) -> None:
    body = json.dumps(
        {"event": "endpoint.url_validation", "payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"}}
    ).encode()
    response = await zoom_http.post("/webhooks/zoom", content=body, headers=zoom_signed(body))
    assert response.status_code == 200
    expected = hmac.new(ZOOM_SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256)
    assert response.json() == {
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": expected.hexdigest(),
    }


@pytest.mark.parametrize(
    "case", ["wrong secret", "stale timestamp", "missing signature", "tampered body"]
)
async def test_zoom_signature_failures_are_401(zoom_http: httpx.AsyncClient, case: str) -> None:
    body = zoom_event("meeting.updated", 123)
    headers = zoom_signed(body)
    if case == "wrong secret":
        headers = zoom_signed(body, secret="another")
    elif case == "stale timestamp":
        headers = zoom_signed(body, at=time.time() - 301)
    elif case == "missing signature":
        del headers["x-zm-signature"]
    elif case == "tampered body":
        body = body.replace(b"123", b"124")
    response = await zoom_http.post("/webhooks/zoom", content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


async def test_zoom_webhook_needs_a_configured_secret(http: httpx.AsyncClient) -> None:
    body = zoom_event("meeting.updated", 123)
    response = await http.post("/webhooks/zoom", content=body, headers=zoom_signed(body))
    assert response.status_code == 401


async def test_zoom_events_are_stored_once_and_unknown_ones_ignored(
    zoom_http: httpx.AsyncClient, pool: asyncpg.Pool, admin: httpx.AsyncClient
) -> None:
    meeting_id = int(uuid.uuid4().int % 10**10)
    body = zoom_event(
        "meeting.registration_created", meeting_id, registrant={"id": "r1", "email": "a@b.c"}
    )
    first = await zoom_http.post("/webhooks/zoom", content=body, headers=zoom_signed(body))
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "accepted"
    again = await zoom_http.post("/webhooks/zoom", content=body, headers=zoom_signed(body))
    assert again.json() == {"status": "duplicate", "id": first.json()["id"]}
    other = zoom_event("meeting.participant_joined", meeting_id)
    ignored = await zoom_http.post("/webhooks/zoom", content=other, headers=zoom_signed(other))
    assert ignored.json()["status"] == "ignored"
    not_json = b"not json"
    bad = await zoom_http.post("/webhooks/zoom", content=not_json, headers=zoom_signed(not_json))
    assert bad.status_code == 400

    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT source, event_type, status FROM inbox WHERE id = $1", int(first.json()["id"])
        )
    assert dict(row) == {
        "source": "zoom",
        "event_type": "meeting.registration_created",
        "status": "pending",
    }

    listed = await admin.get("/api/v1/ops/inbox", params={"source": "zoom", "status": "ignored"})
    assert listed.status_code == 200
    assert int(ignored.json()["id"]) in [item["id"] for item in listed.json()["items"]]
    assert all(item["status"] == "ignored" for item in listed.json()["items"])
    detail = await admin.get(f"/api/v1/ops/inbox/{first.json()['id']}")
    assert detail.json()["payload"]["payload"]["object"]["id"] == meeting_id
    assert (await admin.get("/api/v1/ops/inbox", params={"status": "bogus"})).status_code == 422


async def test_ingress_count_metric_grows(
    zoom_http: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    def accepted(text: str) -> float:
        prefix = 'webinar_sync_ingress_events_total{outcome="accepted",source="zoom"}'
        return next((float(x.split()[-1]) for x in text.splitlines() if x.startswith(prefix)), 0)

    before = accepted((await zoom_http.get("/metrics")).text)
    body = zoom_event("meeting.updated", int(uuid.uuid4().int % 10**10))
    await zoom_http.post("/webhooks/zoom", content=body, headers=zoom_signed(body))
    assert accepted((await zoom_http.get("/metrics")).text) == before + 1


async def test_integration_log_filters(pool: asyncpg.Pool, admin: httpx.AsyncClient) -> None:
    course, booking = f"c-{uuid.uuid4().hex[:8]}", f"b-{uuid.uuid4().hex[:8]}"
    recorder = PostgresCallRecorder(pool)
    calls = [
        VendorCall(
            "zoom",
            "POST",
            "/meetings/1/registrants",
            201,
            12.5,
            cause={"course_id": course, "booking_id": booking},
        ),
        VendorCall(
            "zoom",
            "POST",
            "/meetings/1/registrants",
            429,
            3.0,
            vendor_code="429",
            vendor_message="daily limit",
            cause={"course_id": course, "booking_id": booking},
        ),
        VendorCall(
            "zoom",
            "GET",
            "/meetings/1",
            None,
            10000.0,
            error="ReadTimeout",
            cause={"course_id": course},
        ),
        VendorCall("calendly", "GET", "/scheduled_events", 200, 40.0, cause={"course_id": course}),
    ]
    for call in calls:
        await recorder.record(call)
    log = "/api/v1/ops/integration-log"

    async def paths(**params: str) -> list[tuple[str, str, int | None]]:
        response = await admin.get(log, params={"course_id": course, **params})
        assert response.status_code == 200, response.text
        return [(i["system"], i["method"], i["status"]) for i in response.json()["items"]]

    assert len(await paths()) == 4
    assert await paths(system="calendly") == [("calendly", "GET", 200)]
    assert await paths(status="429") == [("zoom", "POST", 429)]
    assert await paths(status="4xx") == [("zoom", "POST", 429)]
    assert await paths(status="none") == [("zoom", "GET", None)]
    assert await paths(booking_id=booking) == [("zoom", "POST", 429), ("zoom", "POST", 201)]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert await paths(since=future) == []

    limited = (await admin.get(log, params={"course_id": course, "status": "429"})).json()
    entry = limited["items"][0]
    assert entry["vendor_code"] == "429"
    assert entry["vendor_message"] == "daily limit"
    assert entry["cause"] == {"course_id": course, "booking_id": booking}
    assert entry["duration_ms"] == 3.0
    assert "at" in entry and entry["path"] == "/meetings/1/registrants"

    first = (await admin.get(log, params={"course_id": course, "limit": "3"})).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = await admin.get(log, params={"course_id": course, "cursor": first["next_cursor"]})
    assert len(rest.json()["items"]) == 1 and rest.json()["next_cursor"] is None

    for bad in ({"system": "teams"}, {"status": "abc"}, {"since": "yesterday"}):
        assert (await admin.get(log, params=bad)).status_code == 422


async def test_ops_token_may_read_ops_but_no_token_may_not(api_url: str, ops_token: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, timeout=10) as client:
        assert (await client.get("/api/v1/ops/integration-log")).status_code == 401
        headers = {"Authorization": f"Bearer {ops_token}"}
        response = await client.get("/api/v1/ops/reconcile-runs", headers=headers)
        assert response.status_code == 200
        assert set(response.json()) == {"items", "next_cursor"}


async def test_retention_prunes_old_log_rows_and_job_slots(
    pool: asyncpg.Pool, settings: Any
) -> None:

    marker = f"/retention/{uuid.uuid4().hex}"
    async with pool.acquire() as conn:
        for age_days in (31, 29):
            await conn.execute(
                "INSERT INTO integration_log (at, system, method, path, status, duration_ms) "
                "VALUES (now() - make_interval(days => $1), 'zoom', 'GET', $2, 200, 1)",
                age_days,
                marker,
            )
        await conn.execute(
            "INSERT INTO job_runs (job, slot, owner, finished_at) VALUES "
            "($1, now() - interval '8 days', 't', now()), "
            "($1, now() - interval '6 days', 't', now())",
            marker,
        )
    broker = create_broker(settings.redis_url or "", settings.redis_key_prefix)
    lazy = LazyRuntime(settings, Courier(broker))
    try:
        pruned = await prune_old_records(await lazy.get())
    finally:
        await lazy.close()
        broker.close()
    assert pruned["integration_log"] >= 1 and pruned["job_runs"] >= 1
    async with pool.acquire() as conn:
        left = await conn.fetchval("SELECT count(*) FROM integration_log WHERE path = $1", marker)
        slots = await conn.fetchval("SELECT count(*) FROM job_runs WHERE job = $1", marker)
    assert (left, slots) == (1, 1)


async def test_retention_prunes_personal_data_but_keeps_what_ops_still_need(
    pool: asyncpg.Pool, settings: Any
) -> None:
    marker = uuid.uuid4().hex
    async with pool.acquire() as conn:
        ids = {}
        for name, status, age in (
            ("old_done", "done", 91),
            ("young_done", "done", 89),
            ("old_pending", "pending", 91),
            ("old_dead_open", "dead", 91),
        ):
            ids[name] = await conn.fetchval(
                """
                INSERT INTO inbox (source, event_type, dedupe_key, payload, status, received_at)
                VALUES ('booking', 'booking.upserted', $1, '{"email": "x@example.com"}', $2,
                        now() - make_interval(days => $3))
                RETURNING id
                """,
                f"{marker}-{name}",
                status,
                age,
            )
        letters = {}
        for name, status, ref in (
            ("open", "open", ids["old_dead_open"]),
            ("resolved_old", "discarded", -1),
            ("resolved_young", "replayed", -2),
        ):
            letters[name] = await conn.fetchval(
                """
                INSERT INTO dead_letters (source, queue, ref_id, type, error_class, error_message,
                                          attempts, payload, status, resolved_at)
                VALUES ('booking', 'inbox', $1, $2, 'Terminal', 'x@example.com', 1, '{}', $3,
                        CASE WHEN $3 = 'open' THEN NULL
                             WHEN $3 = 'discarded' THEN now() - interval '91 days'
                             ELSE now() - interval '89 days' END)
                RETURNING id
                """,
                ref,
                marker,
                status,
            )
        await conn.execute(
            "INSERT INTO dead_letter_actions (dead_letter_id, action, actor, result) "
            "VALUES ($1, 'discard', 'ops', 'discarded')",
            letters["resolved_old"],
        )
        for age in (91, 89):
            await conn.execute(
                "INSERT INTO work_attempts "
                "(source, ref_id, attempt, error_class, error_message, at) "
                "VALUES ('inbox', -1, 1, $1, 'x@example.com', now() - make_interval(days => $2))",
                marker,
                age,
            )
    broker = create_broker(settings.redis_url or "", settings.redis_key_prefix)
    lazy = LazyRuntime(settings, Courier(broker))
    try:
        await prune_old_records(await lazy.get())
    finally:
        await lazy.close()
        broker.close()
    async with pool.acquire() as conn:
        inbox_left = {
            r["dedupe_key"].removeprefix(f"{marker}-")
            for r in await conn.fetch(
                "SELECT dedupe_key FROM inbox WHERE dedupe_key LIKE $1", f"{marker}-%"
            )
        }
        letters_left = {
            r["status"]
            for r in await conn.fetch("SELECT status FROM dead_letters WHERE type = $1", marker)
        }
        attempts_left = await conn.fetchval(
            "SELECT count(*) FROM work_attempts WHERE error_class = $1", marker
        )
    assert inbox_left == {"young_done", "old_pending", "old_dead_open"}
    assert letters_left == {"open", "replayed"}
    assert attempts_left == 1
    async with pool.acquire() as conn:  # no worker here; later modules wait for a drained inbox
        await conn.execute("DELETE FROM inbox WHERE dedupe_key LIKE $1", f"{marker}-%")
        await conn.execute("DELETE FROM dead_letters WHERE type = $1", marker)
