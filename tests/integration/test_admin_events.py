"""Info-webinar reads: event list and filters, one event with attendees, upcoming counts, CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from tests.integration.admin_support import make_attendee, make_event, unique

EVENT_KEYS = {"id", "uri", "name", "status", "start_time", "end_time", "location", "attendee_count"}
ATTENDEE_KEYS = {
    "id", "uri", "event_id", "name", "email", "status", "attended", "user_id",
    "prognosis_class_count", "prognosis_start", "notes", "rescheduled_from", "rescheduled_to",
}  # fmt: skip


async def test_event_list_filters_by_start_time_and_status_and_pages(
    admin: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    base = datetime(2031, 3, 1, 9, tzinfo=UTC)
    ids = [await make_event(pool, start=base + timedelta(days=d)) for d in range(5)]
    cancelled = await make_event(pool, start=base + timedelta(days=2, hours=1), status="canceled")
    await make_attendee(pool, ids[0])
    await make_attendee(pool, ids[0], status="canceled")

    response = await admin.get(
        "/api/v1/calendly/events", params={"from": "2031-03-01", "to": "2031-03-05"}
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["id"] for i in items] == [ids[0], ids[1], ids[2], cancelled, ids[3], ids[4]]
    assert set(items[0]) >= EVENT_KEYS
    assert items[0]["attendee_count"] == 1  # active attendees only
    assert items[0]["location"] == "https://zoom.us/j/123"

    active = await admin.get(
        "/api/v1/calendly/events",
        params={"from": "2031-03-01T00:00:00Z", "to": "2031-03-03T09:00:00Z", "status": "active"},
    )
    assert [i["id"] for i in active.json()["items"]] == ids[:3]

    seen, cursor = [], None
    while True:
        params = {"from": "2031-03-01", "to": "2031-03-05", "limit": "2"}
        page = (
            await admin.get(
                "/api/v1/calendly/events", params=params | ({"cursor": cursor} if cursor else {})
            )
        ).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [i["id"] for i in items]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"from": "yesterday"}, ["from"]),
        ({"to": "2031-13-01"}, ["to"]),
        ({"status": "cancelled"}, ["status"]),
        ({"from": "x", "status": "x", "limit": "0"}, ["from", "status", "limit"]),
        ({"cursor": "not-a-cursor"}, ["cursor"]),
    ],
)
async def test_event_list_rejects_bad_filters_listing_every_problem(
    admin: httpx.AsyncClient, params: dict[str, str], fields: list[str]
) -> None:
    response = await admin.get("/api/v1/calendly/events", params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert [d["field"] for d in error["details"]] == fields


async def test_event_detail_has_its_attendees(admin: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    event_id = await make_event(pool)
    first = await make_attendee(pool, event_id, name="Jürgen Öztürk", attended=True)
    second = await make_attendee(pool, event_id, status="canceled")
    response = await admin.get(f"/api/v1/calendly/events/{event_id}")
    assert response.status_code == 200
    event = response.json()
    assert set(event) >= EVENT_KEYS and event["attendee_count"] == 1
    assert [a["id"] for a in event["attendees"]] == [first, second]
    assert set(event["attendees"][0]) >= ATTENDEE_KEYS
    assert event["attendees"][0]["attended"] is True
    assert event["attendees"][0]["name"] == "Jürgen Öztürk"

    empty = await make_event(pool)
    assert (await admin.get(f"/api/v1/calendly/events/{empty}")).json()["attendees"] == []


@pytest.mark.parametrize("ref", ["999999999", "abc", "0", "-1"])
async def test_unknown_event_is_404(admin: httpx.AsyncClient, ref: str) -> None:
    response = await admin.get(f"/api/v1/calendly/events/{ref}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_upcoming_counts_active_attendees_by_attendance(
    admin: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    now = datetime.now(UTC)
    soon = await make_event(pool, start=now + timedelta(days=3), name=unique("soon"))
    running = await make_event(pool, start=now - timedelta(minutes=30), name=unique("running"))
    later = await make_event(pool, start=now + timedelta(days=20), name=unique("later"))
    over = await make_event(pool, start=now - timedelta(days=1), name=unique("over"))
    off = await make_event(pool, start=now + timedelta(days=1), status="canceled")
    for attended in (None, None, True, False):
        await make_attendee(pool, soon, attended=attended)
    await make_attendee(pool, soon, status="canceled", attended=True)

    items = (await admin.get("/api/v1/webinars/upcoming")).json()["items"]
    by_id = {item["id"]: item for item in items}
    assert soon in by_id and running in by_id
    assert later not in by_id and over not in by_id and off not in by_id
    counts = {
        k: by_id[soon][k]
        for k in (
            "participation_count",
            "pending_count",
            "participated_count",
            "not_participated_count",
        )
    }
    assert counts == {
        "participation_count": 4,
        "pending_count": 2,
        "participated_count": 1,
        "not_participated_count": 1,
    }
    assert by_id[running]["participation_count"] == 0
    starts = [item["start_time"] for item in items]
    assert starts == sorted(starts)

    wider = (await admin.get("/api/v1/webinars/upcoming", params={"days": "30"})).json()
    assert later in {item["id"] for item in wider["items"]}


@pytest.mark.parametrize("days", ["0", "-3", "abc", "400"])
async def test_upcoming_rejects_bad_days(admin: httpx.AsyncClient, days: str) -> None:
    response = await admin.get("/api/v1/webinars/upcoming", params={"days": days})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "days"


async def test_csv_export_opens_in_excel_with_umlauts_and_no_formulas(
    admin: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    event_id = await make_event(pool, start=datetime(2031, 5, 4, 16, tzinfo=UTC))
    await make_attendee(pool, event_id, name="Jürgen Größe", email="jg@example.com", attended=True)
    evil = await make_attendee(pool, event_id, name='=HYPERLINK("http://x")', email="e@x.de")
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE calendly_attendees SET notes = $2 WHERE id = $1", evil, "zwei;\nZeilen @home"
        )
    response = await admin.get(f"/api/v1/calendly/events/{event_id}/attendees.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.endswith("\r\n") and text.count("\r\n") >= 3
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0][:3] == ["ID", "Name", "E-Mail"]
    assert rows[1][1] == "Jürgen Größe" and rows[1][4] == "teilgenommen"
    assert rows[2][1] == '\'=HYPERLINK("http://x")'
    assert rows[2][8] == "zwei;\nZeilen @home"
    assert all(line.startswith('"') for line in text.split("\r\n") if line)

    missing = await admin.get("/api/v1/calendly/events/999999999/attendees.csv")
    assert missing.status_code == 404


async def test_reads_need_a_token_and_ops_may_read_but_not_write(
    http: httpx.AsyncClient, ops_token: str, pool: asyncpg.Pool
) -> None:
    event_id = await make_event(pool)
    assert (await http.get("/api/v1/webinars/upcoming")).status_code == 401
    ops = {"Authorization": f"Bearer {ops_token}"}
    assert (await http.get(f"/api/v1/calendly/events/{event_id}", headers=ops)).status_code == 200
    denied = await http.post(
        f"/api/v1/calendly/events/{event_id}/attendees",
        json={"name": "A", "email": "a@example.com"},
        headers=ops,
    )
    assert denied.status_code == 403
