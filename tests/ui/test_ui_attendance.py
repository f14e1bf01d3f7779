"""Attendance from Zoom in the browser (CONTRACT §6, §7): a held sandbox meeting is imported by
the worker; its guest waits in "Unmatched participants" until an admin links it; the course page
shows attendance per session; the event page shows where a mark came from."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import asyncpg
import httpx
from playwright.async_api import expect

from tests.integration.admin_support import make_attendee, make_event, unique
from tests.integration.attendance_support import HOST, import_of
from tests.integration.booking_support import (
    Sandbox,
    booking_event,
    course_event,
    new_id,
    send_event,
)
from tests.support import eventually
from tests.ui.conftest import Open

START = "2032-03-09T10:00:00Z"


async def _zoom_webinar(pool: asyncpg.Pool, zoom: Sandbox) -> tuple[int, int]:
    """A Calendly event whose location is a meeting of the sandbox Zoom: (event id, meeting)."""
    meeting_id = zoom.create_meeting(HOST, start_time=START)
    event_id = await make_event(
        pool, start=datetime.fromisoformat(START), name=unique("Zoom-Webinar")
    )
    await pool.execute(
        "UPDATE calendly_events SET location_join_url = $1 WHERE id = $2",
        f"https://us02web.zoom.us/j/{meeting_id}?pwd=abc",
        event_id,
    )
    return event_id, meeting_id


async def test_a_guest_waits_unmatched_until_an_admin_links_it(
    open_page: Open, admin_token: str, ops_token: str, pool: asyncpg.Pool, zoom: Sandbox
) -> None:
    event_id, meeting_id = await _zoom_webinar(pool, zoom)
    tag = new_id()
    anna = await make_attendee(
        pool, event_id, name="Anna Anwesend", email=f"anna.{tag}@example.com"
    )
    await make_attendee(pool, event_id, name="Bruno Brett", email=f"bruno.{tag}@example.com")
    guest = f"Gast {tag}"
    held = zoom.hold(
        meeting_id,
        start_time=START,
        participants=[
            {"name": "Anna Anwesend", "email": f"anna.{tag}@example.com", "segments": [[0, 45]]},
            {"name": guest, "segments": [[5, 45]]},
        ],
    )
    assert held["delivery"]["status"] == 200
    await import_of(pool, held["uuid"])

    # Ops sees the list, but its Link is refused and changes nothing.
    ops = await open_page(token=ops_token)
    await ops.get_by_role("link", name="Unmatched participants").click()
    row = ops.get_by_role("row").filter(has=ops.get_by_role("rowheader", name=guest))
    await expect(row).to_contain_text("40")
    async with ops.expect_response(lambda r: r.request.method == "POST") as refused:
        await row.get_by_role("button", name="Link").click()
    assert (await refused.value).status == 403
    await expect(ops.get_by_role("alert")).to_be_visible()
    assert await pool.fetchval(
        "SELECT linked_at IS NULL FROM attendance_unmatched WHERE name = $1", guest
    )

    page = await open_page(token=admin_token)
    await page.goto("/ui/attendance/unmatched")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=guest))
    await expect(row.get_by_role("link", name=f"webinar {event_id}")).to_be_visible()
    await row.get_by_role("combobox", name=f"Link {guest} to").select_option(
        label=f"Bruno Brett <bruno.{tag}@example.com>"
    )
    await row.get_by_role("button", name="Link").click()
    await expect(page.get_by_role("status")).to_have_text(f"{guest} was linked to Bruno Brett.")
    await expect(page.get_by_role("rowheader", name=guest)).to_have_count(0)

    await page.goto(f"/ui/webinars/{event_id}")
    bruno = page.get_by_role("row").filter(has_text="Bruno Brett")
    await expect(bruno).to_contain_text("attended")
    await expect(bruno).to_contain_text("from Zoom · Zoom: 40 min")
    anna_row = page.get_by_role("row").filter(has_text="Anna Anwesend")
    await expect(anna_row).to_contain_text("from Zoom · Zoom: 45 min")
    assert await pool.fetchval("SELECT attended FROM calendly_attendees WHERE id = $1", anna)


async def test_course_page_shows_attendance_per_session_and_its_csv(
    open_page: Open, admin_token: str, base_url: str, pool: asyncpg.Pool, zoom: Sandbox
) -> None:
    course_id, b1, b2 = new_id("c"), new_id("B"), new_id("B")
    sessions = [("2032-04-13", "16:00", "17:00"), ("2032-04-20", "16:00", "17:00")]
    headers = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
        event = course_event(course_id, host=f"{new_id('h')}@example.com", sessions=sessions)
        assert (await send_event(http, event)).status_code == 202
        for booking_id in (b1, b2):
            assert (await send_event(http, booking_event(booking_id, course_id))).status_code == 202

    async def registered() -> int:
        meeting: int | None = await pool.fetchval(
            "SELECT min(meeting_id) FROM zoom_registrants WHERE course_id = $1 "
            "AND zoom_status = 'approved' AND state = 'done' HAVING count(*) = 2",
            course_id,
        )
        return meeting or 0

    meeting_id = await eventually(registered, within=60)
    # 16:00 in Berlin (summer time) is 14:00 UTC.
    held = zoom.hold(
        meeting_id,
        start_time="2032-04-13T14:00:00Z",
        participants=[
            {"name": "Rita", "email": f"{b1.lower()}@example.com", "segments": [[0, 55]]},
            {"name": "Rita", "email": f"{b2.lower()}@example.com", "segments": [[0, 12]]},
        ],
    )
    await import_of(pool, held["uuid"])

    page = await open_page(token=admin_token)
    await page.goto(f"/ui/courses/{course_id}")
    table = page.get_by_role("table", name="Attendance per session")
    headers_text = await table.get_by_role("columnheader").all_inner_texts()
    assert headers_text[2].startswith("2032-04-13") and "1 of 2 attended" in headers_text[2]
    assert headers_text[3].startswith("2032-04-20") and "not imported yet" in headers_text[3]
    first = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=b1))
    assert (await first.get_by_role("cell").all_inner_texts())[1:] == ["attended 55 min", "–"]
    second = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=b2))
    assert (await second.get_by_role("cell").all_inner_texts())[1:] == [
        "not attended 12 min",
        "–",
    ]

    async with page.expect_download() as download:
        await page.get_by_role("link", name="Export attendance CSV").click()
    text = (await (await download.value).path()).read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [
        "2032-04-13",
        b1,
        "Rita Doro",
        f"{b1.lower()}@example.com",
        "teilgenommen",
        "55",
    ] in rows
    assert len(rows) == 1 + 2 * 2  # header, two sessions of two bookings


async def test_a_mark_in_the_browser_sends_the_no_show_to_calendly(
    open_page: Open, admin_token: str, pool: asyncpg.Pool
) -> None:
    event_id = await make_event(pool, name=unique("Infowebinar"))
    absent = await make_attendee(pool, event_id, name="Nora Nichtda")
    page = await open_page(token=admin_token)
    await page.goto(f"/ui/webinars/{event_id}")
    await page.get_by_role("checkbox", name="Select Nora Nichtda").check()
    await page.get_by_role("button", name="Mark not attended").click()
    await expect(page.get_by_role("status")).to_contain_text("1 attendees")
    # The same command a mark through the API queues (no-shows pushed: CALENDLY_API_TOKEN set).
    commands = await pool.fetch(
        "SELECT command, attempts FROM outbox WHERE subject = $1", f"no-show:{absent}"
    )
    assert [r["command"] for r in commands] == ["sync_calendly_no_show"]
