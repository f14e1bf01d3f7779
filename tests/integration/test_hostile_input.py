"""Hostile input at ingress (CONTRACT §3 "No input gives a 500"; docs/security.md)."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest

from tests.integration.ingress_support import (
    SIGNERS,
    calendly_body,
    inbox_state,
    ingress_api,
    no_inbox_rows_left,  # noqa: F401 - autouse: the module's inbox rows are removed
    sign_calendly,
)

HOSTILE_NAMES = ["nul \u0000 inside", "lone \ud800 surrogate", "the text \\u0000", "\udfff\u0000"]


@pytest.fixture(scope="module")
def ingress_url(service_env: dict[str, str]) -> Iterator[str]:
    with ingress_api(service_env, REQUEST_BODY_TIMEOUT_SECONDS="2") as url:
        yield url


@pytest.fixture
async def ingress(ingress_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=ingress_url, timeout=10) as client:
        yield client


def booking_body(name: str) -> bytes:
    booking = {
        "id": f"BN-{uuid.uuid4().hex[:8]}",
        "version": 1,
        "course_id": "hostile-course",
        "status": "confirmed",
        "participant": {"first_name": name, "last_name": "Doro", "email": "rita@example.com"},
    }
    event = {
        "type": "booking.upserted",
        "timestamp": "2031-01-01T00:00:00Z",
        "data": {"booking": booking},
    }
    return json.dumps(event).encode()


def zoom_body(name: str) -> bytes:
    event = {
        "event": "meeting.registration_created",
        "event_ts": int(time.time() * 1000),
        "payload": {
            "object": {"id": 1, "registrant": {"id": uuid.uuid4().hex, "first_name": name}}
        },
    }
    return json.dumps(event).encode()


NAME_IN = {
    "/webhooks/calendly": lambda doc: doc["payload"]["name"],
    "/webhooks/booking": lambda doc: doc["data"]["booking"]["participant"]["first_name"],
    "/webhooks/zoom": lambda doc: doc["payload"]["object"]["registrant"]["first_name"],
}
BODIES = {
    "/webhooks/calendly": calendly_body,
    "/webhooks/booking": booking_body,
    "/webhooks/zoom": zoom_body,
}


@pytest.mark.parametrize("path", list(BODIES))
@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_any_text_inside_valid_json_is_stored_verbatim(
    ingress: httpx.AsyncClient, pool: asyncpg.Pool, path: str, name: str
) -> None:
    body = BODIES[path](name)
    response = await ingress.post(path, content=body, headers=SIGNERS[path](body))

    assert response.status_code in (200, 202), response.text
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT raw_body, payload::text AS payload FROM inbox WHERE id = $1",
            int(response.json()["id"]),
        )
    assert row is not None
    assert bytes(row["raw_body"]) == body
    expected = re.sub("[\x00\ud800-\udfff]", "\ufffd", name)
    assert NAME_IN[path](json.loads(row["payload"])) == expected


NOT_JSON_BODIES = [
    (b'{"event": "invitee.created", "payload": {"n": NaN}}', "NaN"),
    (b'{"event": "invitee.created", "payload": {"n": Infinity}}', "Infinity"),
    (b'{"event": "invitee.created", "payload": {"n": 1e999}}', "out of range"),
    (b'{"event": "x", "payload": ' + b"[" * 3000 + b"]" * 3000 + b"}", "deeper than 64"),
    (b'{"event": "x", "payload": ' + b"[" * 65 + b"]" * 65 + b"}", "deeper than 64"),
    (b'{"event": "x", "payload": {"n": ' + b"1" * 5000 + b"}}", "out of range"),
    (b"\xc3\x28", "not UTF-8"),
]


@pytest.mark.parametrize("path", list(BODIES))
@pytest.mark.parametrize(("body", "cause"), NOT_JSON_BODIES)
async def test_what_no_sender_can_send_is_400_naming_the_cause_and_stores_nothing(
    ingress: httpx.AsyncClient, pool: asyncpg.Pool, path: str, body: bytes, cause: str
) -> None:
    before = await inbox_state(pool)
    response = await ingress.post(path, content=body, headers=SIGNERS[path](body))

    assert response.status_code == 400
    assert cause in response.json()["error"]["message"]
    assert await inbox_state(pool) == before


@pytest.mark.parametrize("stamp", ["\u00b2", "1\u00b2", "\u0663" * 10])
async def test_a_non_ascii_digit_in_the_calendly_timestamp_is_401(
    ingress: httpx.AsyncClient, stamp: str
) -> None:
    body = calendly_body("x")
    header = f"t={stamp},v1={'0' * 64}".encode()
    response = await ingress.post(
        "/webhooks/calendly", content=body, headers=[(b"Calendly-Webhook-Signature", header)]
    )
    assert response.status_code == 401


async def test_an_invalid_booking_email_is_422_naming_email(
    ingress: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    event = json.loads(booking_body("Rita"))
    event["data"]["booking"]["participant"]["email"] = "not-an-email"
    body = json.dumps(event).encode()
    before = await inbox_state(pool)

    response = await ingress.post(
        "/webhooks/booking", content=body, headers=SIGNERS["/webhooks/booking"](body)
    )

    assert response.status_code == 422
    fields = [d["field"] for d in response.json()["error"]["details"]]
    assert fields == ["data.booking.participant.email"]
    assert await inbox_state(pool) == before


@pytest.fixture
async def poisoned_inbox(pool: asyncpg.Pool) -> AsyncIterator[str]:
    """Postgres refuses one particular row (a trigger), as it may refuse data we let through."""
    marker = f"poison-{uuid.uuid4().hex[:8]}"
    async with pool.acquire() as conn:
        await conn.execute(
            f"""
            CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.payload::text LIKE '%{marker}%' THEN
                RAISE EXCEPTION 'refused for the test' USING ERRCODE = '22023';
              END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_poison BEFORE INSERT ON inbox
              FOR EACH ROW EXECUTE FUNCTION refuse_poison();
            """
        )
    try:
        yield marker
    finally:
        async with pool.acquire() as conn:
            await conn.execute(
                "DROP TRIGGER refuse_poison ON inbox; DROP FUNCTION refuse_poison();"
            )


async def test_a_row_postgres_refuses_never_changes_another_requests_answer(
    ingress: httpx.AsyncClient, pool: asyncpg.Pool, poisoned_inbox: str
) -> None:
    bodies = [calendly_body(f"guest {i}") for i in range(40)]
    bodies[17] = calendly_body(poisoned_inbox)

    async def send(body: bytes) -> httpx.Response:
        return await ingress.post("/webhooks/calendly", content=body, headers=sign_calendly(body))

    responses = await asyncio.gather(*(send(b) for b in bodies))

    statuses = [r.status_code for r in responses]
    assert statuses[17] == 400
    assert "refused for the test" in responses[17].json()["error"]["message"]
    assert statuses[:17] + statuses[18:] == [202] * 39
    ids = [int(r.json()["id"]) for i, r in enumerate(responses) if i != 17]
    async with pool.acquire() as conn:
        stored = await conn.fetchval("SELECT count(*) FROM inbox WHERE id = ANY($1::bigint[])", ids)
    assert stored == 39


async def test_a_trickled_body_gets_408_within_the_deadline(ingress_url: str) -> None:
    host, port = ingress_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    started = time.monotonic()
    writer.write(
        b"POST /webhooks/calendly HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n{"
    )
    await writer.drain()

    async def trickle() -> None:
        while True:  # the slow client under test: one byte every half second
            await asyncio.sleep(0.5)
            writer.write(b" ")
            await writer.drain()

    trickling = asyncio.create_task(trickle())
    try:
        head = await asyncio.wait_for(reader.readline(), timeout=10)
        rest = await asyncio.wait_for(reader.read(), timeout=10)  # EOF: the connection is freed
    finally:
        trickling.cancel()
        writer.close()
    assert head.startswith(b"HTTP/1.1 408")
    assert b"took longer than 2 s" in rest
    assert time.monotonic() - started < 6


async def test_webhook_answers_and_refusals_carry_the_request_id_and_are_counted(
    ingress: httpx.AsyncClient,
) -> None:
    body = booking_body("request-id")
    signed = {**SIGNERS["/webhooks/booking"](body), "X-Request-ID": "caller-id-1"}
    accepted = await ingress.post("/webhooks/booking", content=body, headers=signed)
    refused = await ingress.post("/webhooks/booking", content=b"{}")
    insane = await ingress.post("/webhooks/booking", content=b"{}", headers={"X-Request-ID": "a b"})
    wrong_method = await ingress.get("/webhooks/zoom")
    metrics = (await ingress.get("/metrics")).text

    assert accepted.status_code == 202 and accepted.headers["x-request-id"] == "caller-id-1"
    assert refused.status_code == 401 and re.fullmatch(
        r"[0-9a-f]{32}", refused.headers["x-request-id"]
    )
    assert re.fullmatch(r"[0-9a-f]{32}", insane.headers["x-request-id"]), "an unsafe id is replaced"
    assert wrong_method.status_code == 405 and wrong_method.headers["x-request-id"]
    assert 'webinar_sync_ingress_requests_total{source="booking",status="202"}' in metrics
    assert 'webinar_sync_ingress_requests_total{source="zoom",status="405"}' in metrics
