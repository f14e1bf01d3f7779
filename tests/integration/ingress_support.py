"""Signing bodies for each ingress endpoint, and an API that accepts all three.

The session's API knows no ZOOM_WEBHOOK_SECRET_TOKEN; `ingress_api` serves one that does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from service.app import create_app
from service.config import load_settings
from service.sandbox.booking_push import standard_webhook_headers
from service.sandbox.calendly_push import scenario, signature_header
from service.sandbox.serve import serving
from tests.support import BOOKING_TEST_SECRET, CALENDLY_TEST_KEY

ZOOM_SECRET = "zoom-test-secret-token"


@contextmanager
def ingress_api(env: dict[str, str], secret: str = ZOOM_SECRET, **extra: str) -> Iterator[str]:
    """An API served here that also knows ZOOM_WEBHOOK_SECRET_TOKEN; its URL."""
    settings = load_settings({**env, "ZOOM_WEBHOOK_SECRET_TOKEN": secret, **extra})
    with serving(create_app(settings)) as url:
        yield url


def calendly_deliveries(event: str, **options: Any) -> list[tuple[str, dict[str, Any]]]:
    """The sandbox's `scenario` of one Zoom-located invitee unless `options` say otherwise."""
    defaults = {"count": 1, "group": 1, "reschedule": False, "location": "zoom"}
    return scenario(event, now=datetime.now(UTC), **{**defaults, **options})


def sign_calendly(body: bytes) -> dict[str, str]:
    return {
        "Calendly-Webhook-Signature": signature_header(body, CALENDLY_TEST_KEY, int(time.time())),
        "content-type": "application/json",
    }


def sign_booking(body: bytes) -> dict[str, str]:
    return standard_webhook_headers(body, BOOKING_TEST_SECRET)


def sign_zoom(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(ZOOM_SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return {
        "x-zm-request-timestamp": stamp,
        "x-zm-signature": f"v0={digest.hexdigest()}",
        "content-type": "application/json",
    }


def calendly_body(name: str) -> bytes:
    uri = f"https://api.calendly.com/scheduled_events/E/invitees/{uuid.uuid4().hex}"
    return json.dumps({"event": "invitee.created", "payload": {"uri": uri, "name": name}}).encode()


SIGNERS: dict[str, Callable[[bytes], dict[str, str]]] = {
    "/webhooks/calendly": sign_calendly,
    "/webhooks/booking": sign_booking,
    "/webhooks/zoom": sign_zoom,
}


async def inbox_state(pool: asyncpg.Pool) -> tuple[int, int]:
    """How many inbox rows there are, and the highest id (refused input changes neither)."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT count(*) AS n, coalesce(max(id), 0) AS top FROM inbox")
    assert row is not None
    return int(row["n"]), int(row["top"])


@pytest.fixture(scope="module", autouse=True, name="_no_inbox_rows_left")
async def no_inbox_rows_left(pool: asyncpg.Pool) -> AsyncIterator[None]:
    """Events a module that imports this stores are deleted after it: no worker runs in
    these modules, and later modules wait for the whole inbox to drain."""
    async with pool.acquire() as conn:
        start = await conn.fetchval("SELECT coalesce(max(id), 0) FROM inbox")
    try:
        yield
    finally:
        async with pool.acquire() as conn:
            await conn.execute("DELETE FROM inbox WHERE id > $1", start)
