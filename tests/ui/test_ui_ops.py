"""Courses, dead letters and the integration log as course managers and ops use them."""

from __future__ import annotations

import re

import asyncpg
from playwright.async_api import expect

from tests.integration.booking_support import Sandbox
from tests.support import eventually
from tests.ui.conftest import Open, Refuse, admit, settled


async def _open_letter(pool: asyncpg.Pool, host: str) -> int:
    letter: int = await pool.fetchval(
        "SELECT id FROM dead_letters WHERE status = 'open' AND error_message LIKE '%' || $1 || '%'",
        host,
    )
    return letter


async def test_a_failed_course_shows_zooms_message_verbatim(
    open_page: Open, admin_token: str, refuse: Refuse, zoom: Sandbox, pool: asyncpg.Pool
) -> None:
    course_id, host = await refuse()
    message = f"User {host} not exist or not belong to this account."
    page = await open_page(token=admin_token)
    await page.get_by_role("link", name="Courses").click()
    await page.get_by_label("Sync status filter").select_option(label="Failed")
    row = page.get_by_role("row").filter(has_text=course_id)
    await expect(row).to_contain_text("Failed")
    await expect(row).to_contain_text(message)
    await settled(page)
    await page.get_by_label("Sync status filter").select_option(label="OK")
    await expect(page.get_by_role("row").filter(has_text=course_id)).to_have_count(0)
    await page.goto(f"/ui/courses/{course_id}")
    await expect(page.get_by_role("main")).to_contain_text(message)
    await page.get_by_role("link", name="Notifications").click()
    note = page.locator("main li").filter(has_text=message)
    await expect(note.get_by_role("link", name=f"course {course_id}")).to_be_visible()
    await expect(note).to_contain_text("What to do: fix the cause")

    # Fixed in Zoom, "Sync now" on the course page creates the meeting.
    admit(zoom, host)
    await page.goto(f"/ui/courses/{course_id}")
    await page.get_by_role("button", name="Sync now").click()
    await expect(page.get_by_role("status")).to_contain_text("Zoom commands queued")
    await eventually(lambda: _meetings(zoom, host), within=20)
    await eventually(lambda: _decided(pool, course_id))
    await page.reload()
    await expect(page.get_by_text("OK", exact=True)).to_be_visible(timeout=10_000)


async def _meetings(zoom: Sandbox, host: str) -> bool:
    return bool(zoom.meetings(host))


async def _decided(pool: asyncpg.Pool, course_id: str) -> bool:
    """The course decision after the meeting's create (its own transaction) has committed."""
    status = await pool.fetchval(
        "SELECT sync_status FROM zoom_meetings WHERE course_id = $1 AND meeting_id IS NOT NULL",
        course_id,
    )
    return status not in (None, "pending")


async def test_replay_of_a_dead_letter_reaches_the_sandbox_zoom(
    open_page: Open, admin_token: str, refuse: Refuse, zoom: Sandbox, pool: asyncpg.Pool
) -> None:
    _course_id, host = await refuse()
    letter = await eventually(lambda: _open_letter(pool, host))
    admit(zoom, host)
    page = await open_page(token=admin_token)
    await page.get_by_role("link", name="Dead letters").click()
    await page.get_by_label("Error").fill(host)
    await page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row").filter(has_text=host)
    await expect(row).to_have_count(1)
    await row.get_by_role("button", name="Replay").click()
    await expect(page.get_by_role("status")).to_contain_text("Replayed")
    await eventually(lambda: _meetings(zoom, host), within=20)
    assert (
        await pool.fetchval("SELECT status FROM dead_letters WHERE id = $1", letter) == "replayed"
    )
    await expect(page.get_by_role("main")).to_contain_text("replay")  # the history


async def test_replay_matching_shows_the_count_first_then_replays(
    open_page: Open, ops_token: str, refuse: Refuse, zoom: Sandbox, pool: asyncpg.Pool
) -> None:
    _course_id, host = await refuse()
    letter = await eventually(lambda: _open_letter(pool, host))
    admit(zoom, host)
    page = await open_page(token=ops_token)
    await page.goto("/ui/ops/dead-letters")
    await page.get_by_label("Type").fill("sync_meeting")
    await page.get_by_label("Error").fill(host)
    await page.get_by_role("button", name="Filter").click()
    await expect(page).to_have_url(re.compile(r"type=sync_meeting"))
    await page.get_by_role("button", name="Replay matching").click()
    await expect(page.get_by_role("status")).to_have_text(
        "A replay would touch 1 dead letters. Confirm to replay them."
    )
    assert await pool.fetchval("SELECT status FROM dead_letters WHERE id = $1", letter) == "open"
    assert not zoom.meetings(host)
    await page.get_by_role("button", name="Confirm replay").click()
    await expect(page.get_by_role("status")).to_have_text("1 dead letters replayed.")
    await eventually(lambda: _meetings(zoom, host), within=20)


async def test_discard_asks_for_a_reason(
    open_page: Open, ops_token: str, refuse: Refuse, zoom: Sandbox, pool: asyncpg.Pool
) -> None:
    _course_id, host = await refuse()
    letter = await eventually(lambda: _open_letter(pool, host))
    page = await open_page(token=ops_token)
    await page.goto(f"/ui/ops/dead-letters?error={host}")
    await page.get_by_role("row").filter(has_text=host).get_by_role("link", name="Discard").click()
    await expect(page.get_by_role("main")).to_contain_text("attempt 1")
    reason = page.get_by_label("Reason for discarding")
    await reason.fill("   ")
    await reason.evaluate("el => el.removeAttribute('required')")
    await page.get_by_role("button", name="Discard").click()
    await expect(page.get_by_role("alert")).to_contain_text("Say why")
    assert await pool.fetchval("SELECT status FROM dead_letters WHERE id = $1", letter) == "open"
    await page.get_by_label("Reason for discarding").fill("host left the academy")
    await page.get_by_role("button", name="Discard").click()
    await expect(page.get_by_role("status")).to_have_text("Discarded.")
    await expect(page.get_by_role("main")).to_contain_text("host left the academy")
    assert (
        await pool.fetchval("SELECT status FROM dead_letters WHERE id = $1", letter) == "discarded"
    )
    admit(zoom, host)


async def test_integration_log_filters(open_page: Open, ops_token: str) -> None:
    page = await open_page(token=ops_token)
    await page.get_by_role("link", name="Integration log").click()
    await page.get_by_label("System").select_option("zoom")
    await page.get_by_label("Status").fill("4xx")
    await page.get_by_role("button", name="Filter").click()
    await expect(page).to_have_url(re.compile(r"status=4xx"))
    rows = page.locator("table.data tbody tr")
    await expect(rows.first).to_contain_text("not exist or not belong to this account")
    for index in range(await rows.count()):
        cells = rows.nth(index).get_by_role("cell")
        await expect(cells.nth(1)).to_have_text("zoom")
        await expect(cells.nth(3)).to_have_text(re.compile(r"^4\d\d$"))
    await page.get_by_label("Status").fill("nonsense")
    await page.get_by_role("button", name="Filter").click()
    await expect(page.get_by_role("alert")).to_contain_text("invalid status")
