"""Dead letters end to end: a real worker buries a failing event; ops list, read, replay and
discard it over HTTP and the CLI (CONTRACT §1 `dlq`, §5 Ops)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from service.sandbox.calendly_push import build_delivery
from tests.integration.ingress_support import calendly_deliveries
from tests.support import CALENDLY_TEST_KEY, ServiceProcess, eventually, run_service

LETTERS = "/api/v1/ops/dead-letters"


async def deliver(http: httpx.AsyncClient, event: str, payload: dict[str, Any]) -> int:
    headers, body = build_delivery(event, payload, CALENDLY_TEST_KEY, datetime.now(UTC))
    response = await http.post("/webhooks/calendly", content=body, headers=headers)
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


async def orphan_no_show(http: httpx.AsyncClient) -> tuple[int, dict[str, Any]]:
    """A no-show for an invitee whose event we have never seen: the worker cannot apply it
    (Terminal), until the invitee.created that introduces the event arrives."""
    ((_event, payload),) = calendly_deliveries("invitee.created")
    orphan = {k: v for k, v in payload.items() if k != "scheduled_event"}
    return await deliver(http, "invitee_no_show.created", orphan), payload


async def letter_of(pool: asyncpg.Pool, inbox_id: int, status: str = "open") -> int:
    async def find() -> int | None:
        async with pool.acquire() as conn:
            found: int | None = await conn.fetchval(
                "SELECT id FROM dead_letters WHERE queue = 'inbox' AND ref_id = $1 "
                "AND status = $2 ORDER BY id DESC LIMIT 1",
                inbox_id,
                status,
            )
            return found

    return await eventually(find)


async def inbox_status(pool: asyncpg.Pool, inbox_id: int) -> str:
    async with pool.acquire() as conn:
        status: str = await conn.fetchval("SELECT status FROM inbox WHERE id = $1", inbox_id)
        return status


async def _at_least(value: Awaitable[float], minimum: float) -> bool:
    return await value >= minimum


async def open_letters_metric(http: httpx.AsyncClient) -> float:
    text = (await http.get("/metrics")).text
    line = next(x for x in text.splitlines() if x.startswith("webinar_sync_dead_letters_open "))
    return float(line.split()[1])


async def test_list_show_replay_after_the_cause_is_fixed(
    worker: ServiceProcess, http: httpx.AsyncClient, ops: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    before = await open_letters_metric(http)
    inbox_id, invitee_payload = await orphan_no_show(http)
    letter_id = await letter_of(pool, inbox_id)
    # /metrics reads Postgres at most every few seconds (service/api/metrics.py)
    await eventually(lambda: _at_least(open_letters_metric(http), before + 1))

    listed = await ops.get(
        LETTERS,
        params={
            "source": "calendly",
            "queue": "inbox",
            "type": "invitee_no_show.created",
            "error": "unknown",
            "since": since,
        },
    )
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [item["id"] for item in items] == [letter_id]
    letter = items[0]
    assert (letter["source"], letter["queue"]) == ("calendly", "inbox")
    assert letter["error"]["class"] == "Terminal"
    assert "unknown" in letter["error"]["message"]
    assert letter["attempts"] == 1
    assert letter["payload"]["event"] == "invitee_no_show.created"
    assert {"id", "source", "type", "error", "attempts", "created_at", "payload"} <= letter.keys()
    for other in ({"source": "zoom"}, {"queue": "outbox"}):
        assert (await ops.get(LETTERS, params={**other, "since": since})).json()["items"] == []
    assert (await ops.get(LETTERS, params={"error": "NoSuchError", "since": since})).json()[
        "items"
    ] == []
    assert (await ops.get(LETTERS, params={"source": "bogus"})).status_code == 422

    detail = (await ops.get(f"{LETTERS}/{letter_id}")).json()
    assert detail["history"][0]["error"]["class"] == "Terminal"
    assert detail["history"][0]["attempt"] == 1
    assert detail["actions"] == []
    assert (await ops.get(f"{LETTERS}/999999999")).status_code == 404

    # The cause goes away: the event becomes known through the invitee's own webhook.
    created_id = await deliver(http, "invitee.created", invitee_payload)
    await eventually(lambda: _is(pool, created_id, "done"))

    filters = {"type": "invitee_no_show.created", "since": since}
    dry = await ops.post(f"{LETTERS}/replay", json={**filters, "dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json()["results"] == {"would_replay": 1}
    assert dry.json()["items"][0]["id"] == letter_id
    assert await inbox_status(pool, inbox_id) == "dead"  # a dry run changes nothing

    first = (await ops.post(f"{LETTERS}/replay", json=filters)).json()
    assert first["results"] == {"replayed": 1}
    await eventually(lambda: _is(pool, inbox_id, "done"))
    second = (await ops.post(f"{LETTERS}/replay", json=filters)).json()
    assert second["matched"] == 0 and second["items"] == []

    again = await ops.post(f"{LETTERS}/{letter_id}/replay")
    assert again.status_code == 409
    assert "already replayed" in again.json()["error"]["message"]

    detail = (await ops.get(f"{LETTERS}/{letter_id}")).json()
    assert detail["status"] == "replayed"
    (action,) = detail["actions"]
    assert action["action"] == "replay"
    assert action["actor"].startswith("ops-")
    assert "pending again" in action["result"]


async def test_bulk_replay_needs_a_filter_or_all(ops: httpx.AsyncClient) -> None:
    response = await ops.post(f"{LETTERS}/replay", json={})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "all"


async def test_single_replay_of_a_still_failing_item_opens_a_new_letter_and_discard(
    worker: ServiceProcess, http: httpx.AsyncClient, ops: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    inbox_id, _ = await orphan_no_show(http)
    letter_id = await letter_of(pool, inbox_id)

    replayed = await ops.post(f"{LETTERS}/{letter_id}/replay")
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["result"] == "replayed"
    newer = await eventually(lambda: _newer_letter(pool, inbox_id, letter_id))
    history = (await ops.get(f"{LETTERS}/{newer}")).json()["history"]
    assert [h["attempt"] for h in history] == [1, 1]  # attempts were reset by the replay

    no_reason = await ops.post(f"{LETTERS}/{newer}/discard", json={})
    assert no_reason.status_code == 422
    discarded = await ops.post(f"{LETTERS}/{newer}/discard", json={"reason": "test data"})
    assert discarded.status_code == 200, discarded.text
    assert discarded.json()["status"] == "discarded"
    assert (await ops.post(f"{LETTERS}/{newer}/discard", json={"reason": "x"})).status_code == 409
    assert (await ops.post(f"{LETTERS}/{newer}/replay")).status_code == 409
    assert await inbox_status(pool, inbox_id) == "dead"
    actions = (await ops.get(f"{LETTERS}/{newer}")).json()["actions"]
    assert [(a["action"], a["reason"]) for a in actions] == [("discard", "test data")]


async def test_cli_list_show_replay(
    worker: ServiceProcess,
    http: httpx.AsyncClient,
    pool: asyncpg.Pool,
    service_env: dict[str, str],
) -> None:
    inbox_id, _ = await orphan_no_show(http)
    letter_id = await letter_of(pool, inbox_id)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_service("dlq", *args, env=service_env)

    listed = await asyncio.to_thread(cli, "list", "--type", "invitee_no_show.created")
    assert listed.returncode == 0, listed.stderr
    assert any(line.startswith(f"{letter_id}\t") for line in listed.stdout.splitlines())
    shown = await asyncio.to_thread(cli, "show", str(letter_id))
    assert json.loads(shown.stdout)["history"][0]["error"]["class"] == "Terminal"
    dry = await asyncio.to_thread(cli, "replay", str(letter_id), "--dry-run")
    assert json.loads(dry.stdout)["result"] == "would_replay"
    done = await asyncio.to_thread(cli, "replay", str(letter_id))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"] == "replayed"
    twice = await asyncio.to_thread(cli, "replay", str(letter_id))
    assert twice.returncode == 1 and "already replayed" in twice.stderr
    async with pool.acquire() as conn:
        actor = await conn.fetchval(
            "SELECT actor FROM dead_letter_actions WHERE dead_letter_id = $1", letter_id
        )
    assert actor == "cli"
    usage = await asyncio.to_thread(cli, "replay")
    assert usage.returncode == 2


async def _is(pool: asyncpg.Pool, inbox_id: int, status: str) -> bool:
    return await inbox_status(pool, inbox_id) == status


async def _newer_letter(pool: asyncpg.Pool, inbox_id: int, older: int) -> int | None:
    async with pool.acquire() as conn:
        found: int | None = await conn.fetchval(
            "SELECT id FROM dead_letters WHERE queue = 'inbox' AND ref_id = $1 AND id > $2 "
            "AND status = 'open'",
            inbox_id,
            older,
        )
        return found


async def test_the_error_filter_takes_percent_and_underscore_literally(
    ops: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    kind = f"filter-test-{uuid.uuid4().hex[:8]}"
    messages = ["quota 100% used", "field first_name missing", "plain failure"]
    async with pool.acquire() as conn:
        ids = [
            await conn.fetchval(
                """
                INSERT INTO dead_letters (source, queue, ref_id, type, error_class,
                                          error_message, attempts, payload)
                VALUES ('booking', 'inbox', -$1::bigint, $3, 'Terminal', $2, 1, '{}')
                RETURNING id
                """,
                position + int(datetime.now(UTC).timestamp() * 1000) * 10,
                message,
                kind,
            )
            for position, message in enumerate(messages)
        ]

    async def matched(error: str) -> list[int]:
        listed = await ops.get(LETTERS, params={"error": error, "type": kind, "since": since})
        return [item["id"] for item in listed.json()["items"]]

    assert await matched("%") == [ids[0]]
    assert await matched("_") == [ids[1]]
    assert await matched("t_name") == [ids[1]]
    assert await matched("FAILURE") == [ids[2]]
    dry = (
        await ops.post(f"{LETTERS}/replay", json={"error": "%", "type": kind, "dry_run": True})
    ).json()
    assert dry["matched"] == 1
    async with pool.acquire() as conn:  # letters about no real item: not for later tests
        await conn.execute("DELETE FROM dead_letters WHERE type = $1", kind)
