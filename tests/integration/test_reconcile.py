"""Reconciliation end to end (CONTRACT §1 `reconcile`, `calendly subscribe`;
docs/operations.md "Reconciliation"): real worker processes, the CLI as ops run it, and the
sandbox Zoom and Calendly over HTTP.

- Zoom: a registrant deleted by hand comes back; one no booking explains is reported, not
  deleted; a cancelled booking approved again by hand is cancelled again; drift feeds /metrics.
- Calendly: webhooks missed while the subscription was disabled are backfilled and the
  subscription is recreated with our signing key (later deliveries arrive again).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from service.sandbox.calendly import CalendlySandboxSettings
from service.sandbox.calendly import create_app as create_calendly
from service.sandbox.serve import serving
from service.workers.schedule import scheduled_jobs
from tests.integration.booking_support import (
    booking_cancelled,
    booking_event,
    course_event,
    new_id,
    registrant_row,
    sandbox_zoom,
    send_event,
    zoom_env,
)
from tests.integration.ingress_support import ingress_api
from tests.support import ServiceProcess, eventually, run_service

CALENDLY_TOKEN = CalendlySandboxSettings().token


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_service(*args, env=env, timeout=120)


async def run_cli(env: dict[str, str], *args: str) -> Any:
    done = await asyncio.to_thread(cli, env, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def drift_metric(text: str, system: str, kind: str) -> float | None:
    prefix = f'webinar_sync_reconcile_drift{{kind="{kind}",system="{system}"}}'
    return next((float(x.split()[-1]) for x in text.splitlines() if x.startswith(prefix)), None)


# -- Zoom ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zoom_url() -> Iterator[str]:
    with sandbox_zoom() as url:
        yield url


@pytest.fixture(scope="module")
def zoom_worker_env(service_env: dict[str, str], zoom_url: str) -> Iterator[dict[str, str]]:
    env = zoom_env(service_env, zoom_url)
    worker = ServiceProcess(["worker", "--threads", "4"], env).start()
    yield env
    worker.stop()


class ZoomByHand:
    """What a person does in the Zoom web portal, through the sandbox's real API."""

    def __init__(self, url: str) -> None:
        token = httpx.post(
            f"{url}/oauth/token",
            params={"grant_type": "account_credentials", "account_id": "sandbox"},
            auth=("sandbox", "sandbox"),
        ).json()["access_token"]
        self.http = httpx.Client(
            base_url=f"{url}/v2", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The person shares the account's per-second budget with our workers: on a 429
        they simply try again a moment later."""
        for _ in range(50):
            response = self.http.request(method, path, **kwargs)
            if response.status_code != 429:
                response.raise_for_status()
                return response
            time.sleep(0.1)  # back-off before trying again, like any polite client
        response.raise_for_status()
        return response

    def registrants(self, meeting_id: int, status: str = "approved") -> list[dict[str, Any]]:
        response = self._call(
            "GET",
            f"/meetings/{meeting_id}/registrants",
            params={"status": status, "page_size": 300},
        )
        return list(response.json()["registrants"])

    def delete(self, meeting_id: int, registrant_id: str) -> None:
        self._call("DELETE", f"/meetings/{meeting_id}/registrants/{registrant_id}")

    def add(self, meeting_id: int, email: str) -> str:
        response = self._call(
            "POST",
            f"/meetings/{meeting_id}/registrants",
            json={"email": email, "first_name": "Guest", "auto_approve": True},
        )
        return str(response.json()["registrant_id"])

    def approve(self, meeting_id: int, registrant_id: str, email: str) -> None:
        self._call(
            "PUT",
            f"/meetings/{meeting_id}/registrants/status",
            json={"action": "approve", "registrants": [{"id": registrant_id, "email": email}]},
        )


async def approved_row(pool: asyncpg.Pool, booking_id: str) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        row = await registrant_row(pool, booking_id)
        ok = row and row["zoom_status"] == "approved" and row["state"] == "done"
        return row if ok else None

    return await eventually(check, within=30)


async def test_zoom_drift_is_repaired_and_reported(
    http: httpx.AsyncClient,
    admin: httpx.AsyncClient,
    pool: asyncpg.Pool,
    zoom_url: str,
    zoom_worker_env: dict[str, str],
) -> None:
    course_id, host = new_id("c"), f"{new_id('h')}@example.com"
    kept, deleted, cancelled = new_id("B"), new_id("B"), new_id("B")
    assert (await send_event(http, course_event(course_id, host=host))).status_code == 202
    for booking_id in (kept, deleted, cancelled):
        assert (await send_event(http, booking_event(booking_id, course_id))).status_code == 202
    rows = {b: await approved_row(pool, b) for b in (kept, deleted, cancelled)}
    meeting_id = rows[kept]["meeting_id"]
    assert (
        await send_event(http, booking_cancelled(cancelled, course_id, version=2))
    ).status_code == 202

    async def cancelled_in_zoom() -> bool:
        row = await registrant_row(pool, cancelled)
        return bool(row and row["zoom_status"] == "cancelled" and row["state"] == "done")

    await eventually(cancelled_in_zoom, within=30)

    zoom = ZoomByHand(zoom_url)
    zoom.delete(meeting_id, rows[deleted]["registrant_id"])
    guest = f"{new_id('guest')}@example.com"
    guest_id = zoom.add(meeting_id, guest)
    zoom.approve(meeting_id, rows[cancelled]["registrant_id"], rows[cancelled]["email"])

    (run,) = await run_cli(zoom_worker_env, "reconcile", "zoom")
    assert run["status"] == "succeeded", run
    assert run["drift"]["missing_registrant"] >= 1
    assert run["drift"]["unexplained_registrant"] >= 1
    assert run["drift"]["cancelled_still_approved"] >= 1

    def approved_emails() -> set[str]:
        return {r["email"] for r in zoom.registrants(meeting_id)}

    async def repaired() -> bool:
        emails = approved_emails()
        return rows[deleted]["email"] in emails and rows[cancelled]["email"] not in emails

    await eventually(repaired, within=30)
    assert guest in approved_emails()  # reported, never deleted

    detail = (await admin.get(f"/api/v1/ops/reconcile-runs/{run['run_id']}")).json()
    mine = [e for e in detail["report"] if e.get("course_id") == course_id]
    kinds = {(e["kind"], e.get("booking_id") or e.get("registrant_id")) for e in mine}
    assert ("missing_registrant", deleted) in kinds
    assert ("cancelled_still_approved", cancelled) in kinds
    assert ("unexplained_registrant", guest_id) in kinds
    assert all(e.get("booking_id") != kept for e in mine)
    listed = (await admin.get("/api/v1/ops/reconcile-runs", params={"kind": "zoom"})).json()
    assert listed["items"][0]["id"] == run["run_id"]
    assert listed["items"][0]["drift"] == run["drift"]

    async def drift_shown() -> bool:  # /metrics reads Postgres at most every few seconds
        metrics = (await http.get("/metrics")).text
        return (
            drift_metric(metrics, "zoom", "missing_registrant")
            == run["drift"]["missing_registrant"]
        )

    await eventually(drift_shown)

    # Deleted again the same day: the reconciler does not spend another of Zoom's 3 daily adds.
    again = await approved_row(pool, deleted)
    zoom.delete(meeting_id, again["registrant_id"])
    (second,) = await run_cli(zoom_worker_env, "reconcile", "zoom")
    report = (await admin.get(f"/api/v1/ops/reconcile-runs/{second['run_id']}")).json()["report"]
    postponed = [e for e in report if e["kind"] == "readd_postponed"]
    assert [e["booking_id"] for e in postponed if e["course_id"] == course_id] == [deleted]


# -- Calendly --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def calendly_url() -> Iterator[str]:
    with serving(create_calendly()) as url:
        yield url


@pytest.fixture(scope="module")
def calendly_env(
    zoom_worker_env: dict[str, str], calendly_url: str, api_url: str
) -> dict[str, str]:
    """For the CLI; the module's worker (one, so no worker without Zoom takes Zoom work)
    processes the webhooks."""
    return {
        **zoom_worker_env,
        "CALENDLY_API_TOKEN": CALENDLY_TOKEN,
        "CALENDLY_API_BASE_URL": calendly_url,
        "PUBLIC_BASE_URL": api_url,
    }


class CalendlyByHand:
    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        info = self.http.get("/_sandbox/info").json()
        self.organization = info["organization"]

    def subscriptions(self) -> list[dict[str, Any]]:
        response = self.http.get(
            "/webhook_subscriptions",
            params={"organization": self.organization, "scope": "organization"},
            headers={"Authorization": f"Bearer {CALENDLY_TOKEN}"},
        )
        response.raise_for_status()
        return list(response.json()["collection"])

    def disable(self, uri: str) -> None:
        uuid = uri.rpartition("/")[2]
        self.http.post(f"/_sandbox/subscriptions/{uuid}/disable").raise_for_status()

    def book(self, email: str) -> tuple[str, list[dict[str, Any]]]:
        start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
        event = self.http.post("/_sandbox/events", json={"start_time": start.isoformat()})
        booked = self.http.post(
            "/_sandbox/invitees",
            json={"event": event.json()["resource"]["uri"], "name": "Rita Doro", "email": email},
        ).json()
        return booked["resource"]["uri"], booked["deliveries"]


async def stored(pool: asyncpg.Pool, uri: str) -> bool:
    async with pool.acquire() as conn:
        return bool(
            await conn.fetchval("SELECT count(*) FROM calendly_attendees WHERE uri = $1", uri)
        )


async def test_missed_calendly_webhooks_are_backfilled_and_the_subscription_recreated(
    calendly_env: dict[str, str],
    calendly_url: str,
    api_url: str,
    pool: asyncpg.Pool,
    admin: httpx.AsyncClient,
) -> None:
    calendly = CalendlyByHand(calendly_url)
    created = await run_cli(calendly_env, "calendly", "subscribe")
    assert created["action"] == "created", created
    (subscription,) = calendly.subscriptions()
    assert subscription["callback_url"] == f"{api_url}/webhooks/calendly"
    assert subscription["state"] == "active"
    assert (await run_cli(calendly_env, "calendly", "subscribe"))["action"] == "none"

    before, deliveries = calendly.book(f"{new_id('before')}@example.com")
    assert [d["status"] for d in deliveries] == [202]
    await eventually(lambda: stored(pool, before))

    calendly.disable(subscription["uri"])
    missed, deliveries = calendly.book(f"{new_id('missed')}@example.com")
    assert deliveries == []  # Calendly sends nothing while the subscription is disabled
    assert not await stored(pool, missed)

    (run,) = await run_cli(calendly_env, "reconcile", "calendly")
    assert run["status"] == "succeeded", run
    assert run["drift"]["subscription_repaired"] == 1
    assert run["drift"]["new_events"] >= 1
    assert await stored(pool, missed)

    (recreated,) = calendly.subscriptions()
    assert recreated["state"] == "active"
    assert recreated["uri"] != subscription["uri"]
    after, deliveries = calendly.book(f"{new_id('after')}@example.com")
    assert [d["status"] for d in deliveries] == [202]  # signed with a key ingress accepts
    await eventually(lambda: stored(pool, after))

    notices = await admin.get("/api/v1/notifications", params={"kind": "subscription_disabled"})
    assert any("disabled" in n["message"] for n in notices.json()["items"])

    async def repair_shown() -> bool:  # /metrics reads Postgres at most every few seconds
        metrics = (await admin.get("/metrics")).text
        return drift_metric(metrics, "calendly", "subscription_repaired") == 1

    await eventually(repair_shown)


# -- a Zoom webhook reconciles its course ----------------------------------------------------

ZOOM_SECRET = "zoom-reconcile-secret"


async def claim_todays_slots(database_url: str) -> None:
    """Today's nightly and hourly jobs count as done, so only the relay runs: a nightly full
    reconcile must not repair what this test expects the webhook to repair."""
    conn = await asyncpg.connect(database_url)
    try:
        now = datetime.now(UTC)
        for job in scheduled_jobs():
            if job.name != "relay":
                await conn.execute(
                    "INSERT INTO job_runs (job, slot, owner, finished_at) VALUES ($1, $2, $3, "
                    "now()) ON CONFLICT DO NOTHING",
                    job.name,
                    job.slot(now),
                    "test",
                )
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def zoom_webhook_api(zoom_worker_env: dict[str, str], database_url: str) -> Iterator[str]:
    """An API with ZOOM_WEBHOOK_SECRET_TOKEN, and a scheduler whose relay brings the
    debounced reconcile command to the worker once it is due."""
    asyncio.run(claim_todays_slots(database_url))
    scheduler = ServiceProcess(["scheduler"], zoom_worker_env).start()
    with ingress_api(zoom_worker_env, ZOOM_SECRET) as url:
        yield url
    scheduler.stop()


async def test_a_zoom_registration_webhook_reconciles_its_course(
    http: httpx.AsyncClient, pool: asyncpg.Pool, zoom_url: str, zoom_webhook_api: str
) -> None:
    course_id, host, booking_id = new_id("c"), f"{new_id('h')}@example.com", new_id("B")
    assert (await send_event(http, course_event(course_id, host=host))).status_code == 202
    assert (await send_event(http, booking_event(booking_id, course_id))).status_code == 202
    row = await approved_row(pool, booking_id)

    ZoomByHand(zoom_url).delete(row["meeting_id"], row["registrant_id"])
    body = json.dumps(
        {
            "event": "meeting.registration_cancelled",
            "event_ts": int(time.time() * 1000),
            "payload": {
                "account_id": "sandbox",
                "object": {
                    "id": str(row["meeting_id"]),  # Zoom sends ids as strings or numbers
                    "registrant": {"id": row["registrant_id"], "email": row["email"]},
                },
            },
        }
    ).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(ZOOM_SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    headers = {"x-zm-request-timestamp": stamp, "x-zm-signature": f"v0={signature.hexdigest()}"}
    async with httpx.AsyncClient(base_url=zoom_webhook_api, timeout=10) as zoom_http:
        response = await zoom_http.post("/webhooks/zoom", content=body, headers=headers)
    assert response.status_code == 200, response.text

    async def course_run() -> dict[str, Any] | None:
        async with pool.acquire() as conn:
            found = await conn.fetchrow(
                "SELECT drift, status FROM reconcile_runs WHERE scope = $1 AND finished_at "
                "IS NOT NULL",
                f"course:{course_id}",
            )
        return dict(found) if found else None

    run = await eventually(course_run, within=60)
    assert run["status"] == "succeeded"
    assert run["drift"] == {"missing_registrant": 1}
    await eventually(lambda: _has(zoom_url, row["meeting_id"], row["email"]), within=30)


async def _has(zoom_url: str, meeting_id: int, email: str) -> bool:
    return email in {r["email"] for r in ZoomByHand(zoom_url).registrants(meeting_id)}
