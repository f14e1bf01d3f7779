"""The Webinars and Event pages as an admin uses them: attendance in bulk, sort and filter,
edit and link, CSV, escaping, the keyboard, and "Sync now"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
from playwright.async_api import Page, expect

from service.domain.pipeline import PipelineStatus
from tests.integration.admin_support import (
    make_attendee,
    make_event,
    make_user,
    pipeline_status,
    unique,
)
from tests.ui.conftest import Open, settled, tab_to


async def _names(page: Page) -> list[str]:
    return await page.locator("table.data tbody tr td:nth-child(2)").all_inner_texts()


async def test_bulk_attendance_moves_the_linked_teachers_pipeline(
    open_page: Open, admin_token: str, pool: asyncpg.Pool
) -> None:
    teacher = await make_user(pool, "Tanja Teacher")
    event_id = await make_event(pool, name=unique("Infowebinar"))
    linked = await make_attendee(pool, event_id, name="Tanja Teacher", user_id=teacher)
    other = await make_attendee(pool, event_id, name="Otto Other")
    page = await open_page(token=admin_token)
    card = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Infowebinar"))
    await expect(card.first).to_be_visible()
    await page.goto(f"/ui/webinars/{event_id}")
    await page.get_by_role("checkbox", name="Select Tanja Teacher").check()
    await page.get_by_role("checkbox", name="Select Otto Other").check()
    await page.get_by_role("button", name="Mark attended").click()
    await expect(page.get_by_role("status")).to_have_text("2 attendees set to “attended”.")
    counts = page.locator("main > dl.counts")
    await expect(counts).to_contain_text("Attended2")
    assert await pipeline_status(pool, teacher) == PipelineStatus.SCHULE_AKTIV
    row = page.get_by_role("row").filter(has_text="Tanja Teacher")
    await expect(row).to_contain_text("School active (8)")
    rows = await pool.fetch(
        "SELECT attended FROM calendly_attendees WHERE id = ANY($1)", [linked, other]
    )
    assert [r["attended"] for r in rows] == [True, True]

    # All or nothing: one unknown id refuses the whole request.
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    refused = await page.request.post(
        f"/ui/webinars/{event_id}/attendance",
        form={"csrf": csrf or "", "attendee": str(other), "mark": "pending"},
        multipart=None,
    )
    assert refused.status == 200
    both = f"attendee={other}&attendee=999999999&mark=pending&csrf={csrf}"
    refused = await page.request.post(
        f"/ui/webinars/{event_id}/attendance",
        data=both,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert refused.status == 422
    assert "nothing was changed" in await refused.text()
    assert await pool.fetchval("SELECT attended FROM calendly_attendees WHERE id = $1", linked)


async def test_sort_by_header_and_filter_by_attendance(
    open_page: Open, admin_token: str, pool: asyncpg.Pool
) -> None:
    event_id = await make_event(pool)
    for name, attended in (("Berta", True), ("Anna", None), ("Carl", False), ("Dora", True)):
        await make_attendee(pool, event_id, name=name, attended=attended)
    page = await open_page(token=admin_token)
    await page.goto(f"/ui/webinars/{event_id}")
    header = page.get_by_role("columnheader", name="Name")
    await expect(header).to_have_attribute("aria-sort", "ascending")
    assert await _names(page) == ["Anna", "Berta", "Carl", "Dora"]
    await header.get_by_role("link").click()
    await expect(header).to_have_attribute("aria-sort", "descending")
    assert await _names(page) == ["Dora", "Carl", "Berta", "Anna"]
    await page.get_by_role("columnheader", name="Attendance").get_by_role("link").click()
    await expect(page.get_by_role("columnheader", name="Attendance")).to_have_attribute(
        "aria-sort", "ascending"
    )
    await expect(page.get_by_role("columnheader", name="Name")).not_to_have_attribute(
        "aria-sort", "ascending"
    )
    await settled(page)
    await page.get_by_label("Attendance filter").select_option(label="Attended")
    await expect(page.locator("table.data tbody tr")).to_have_count(2)
    assert sorted(await _names(page)) == ["Berta", "Dora"]
    await expect(page).to_have_url(re.compile(r"attendance=attended"))
    await settled(page)
    await page.get_by_label("Attendance filter").select_option(label="Not attended")
    await expect(page.locator("table.data tbody tr")).to_have_count(1)
    assert await _names(page) == ["Carl"]


async def test_add_edit_and_link_a_teacher(
    open_page: Open, admin_token: str, pool: asyncpg.Pool
) -> None:
    surname = unique("Mustermann").replace("-", "")
    teacher = await make_user(pool, f"Max {surname}")
    event_id = await make_event(pool)
    page = await open_page(token=admin_token)
    await page.goto(f"/ui/webinars/{event_id}")
    await page.get_by_label("Name").fill("Maxi Manual")
    await page.get_by_label("Email").fill("maxi@localhost")
    await page.get_by_role("button", name="Add attendee").click()
    await expect(page.get_by_role("alert")).to_contain_text("expected an email address")
    await page.get_by_label("Email").fill(f"{unique('maxi')}@example.com")
    await page.get_by_role("button", name="Add attendee").click()
    await expect(page.get_by_role("status")).to_have_text("Maxi Manual was added.")
    row = page.get_by_role("row").filter(has_text="Maxi Manual")
    await row.get_by_role("link", name="Edit").click()
    await page.get_by_label("Prognosis classes").fill("3")
    await page.get_by_label("Prognosis start").fill("Herbst 2027")
    await page.get_by_label("Notes").fill("Rief an; möchte mit zwei Klassen starten")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Saved.")
    await page.get_by_label("Search teacher").fill(surname[:12])
    await page.get_by_role("button", name="Search", exact=True).click()
    await page.get_by_role("button", name=f"Link Max {surname}").click()
    await expect(page.get_by_role("status")).to_have_text("Teacher linked.")
    saved = await pool.fetchrow(
        "SELECT * FROM calendly_attendees WHERE event_id = $1 AND name = 'Maxi Manual'", event_id
    )
    assert saved["prognosis_class_count"] == 3 and saved["prognosis_start"] == "Herbst 2027"
    assert saved["notes"].startswith("Rief an") and saved["user_id"] == teacher
    assert await pipeline_status(pool, teacher) == PipelineStatus.INFOWEBINAR_GEBUCHT
    await page.get_by_role("link", name="Back to the event").click()
    await expect(page.get_by_role("row").filter(has_text="Maxi Manual")).to_contain_text(
        f"Max {surname}"
    )


async def test_csv_export_downloads_the_attendees(
    open_page: Open, admin_token: str, pool: asyncpg.Pool
) -> None:
    event_id = await make_event(pool)
    await make_attendee(pool, event_id, name="Jürgen Groß", attended=True)
    page = await open_page(token=admin_token)
    await page.goto(f"/ui/webinars/{event_id}")
    async with page.expect_download() as info:
        await page.get_by_role("link", name="Export CSV").click()
    download = await info.value
    assert download.suggested_filename.startswith(f"teilnehmer-{event_id}-")
    content = (await download.path()).read_bytes().decode("utf-8")
    assert content.startswith("\ufeff") and '"Jürgen Groß"' in content
    assert '"teilgenommen"' in content


async def test_a_script_as_a_name_is_shown_as_text(
    open_page: Open, admin_token: str, pool: asyncpg.Pool
) -> None:
    event_id = await make_event(pool, name="<img src=x onerror=alert(2)>")
    await make_attendee(pool, event_id, name="<script>alert(1)</script>")
    page = await open_page(token=admin_token)
    await page.goto(f"/ui/webinars/{event_id}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("<img src=x onerror=alert(2)>")
    await expect(
        page.get_by_role("cell", name="<script>alert(1)</script>", exact=True)
    ).to_be_visible()
    await expect(
        page.get_by_role("checkbox", name="Select <script>alert(1)</script>")
    ).to_be_visible()
    assert await page.locator("main script, main img").count() == 0


async def test_keyboard_alone_marks_attendance(
    open_page: Open, admin_token: str, pool: asyncpg.Pool
) -> None:
    event_id = await make_event(pool)
    attendee = await make_attendee(pool, event_id, name="Kim Keyboard")
    page = await open_page(token=admin_token)
    await page.goto(f"/ui/webinars/{event_id}")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    await page.keyboard.press("Enter")
    checkbox = page.get_by_role("checkbox", name="Select Kim Keyboard")
    await tab_to(page, checkbox)
    await page.keyboard.press("Space")
    await expect(checkbox).to_be_checked()
    await tab_to(page, page.get_by_role("button", name="Mark not attended"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("1 attendees")
    assert (
        await pool.fetchval("SELECT attended FROM calendly_attendees WHERE id = $1", attendee)
        is False
    )


async def test_sync_now_shows_the_jobs_progress_and_result(
    open_page: Open, admin_token: str, calendly_url: str, pool: asyncpg.Pool
) -> None:
    name = unique("Synced Infowebinar")
    async with httpx.AsyncClient(base_url=calendly_url) as calendly:
        seeded = await calendly.post(
            "/_sandbox/seed", json={"events": 2, "invitees_per_event": 3, "name": name}
        )
        assert seeded.status_code == 201, seeded.text
    page = await open_page(token=admin_token)
    await expect(page.get_by_text("Last sync:")).to_be_visible()
    await page.get_by_role("button", name="Sync now").click()
    status = page.get_by_role("status")
    await expect(status).to_contain_text("events read")
    await expect(status).to_contain_text("Sync finished", timeout=20_000)
    await expect(status).to_contain_text("2 new")
    await page.reload()
    cards = page.get_by_role("article").filter(has=page.get_by_role("heading", name=name))
    await expect(cards).to_have_count(2)
    await expect(cards.first).to_contain_text("Booked3")
    job = await pool.fetchrow("SELECT * FROM sync_jobs ORDER BY created_at DESC LIMIT 1")
    assert job["status"] == "succeeded" and job["requested_by"].startswith("admin-")
    assert job["new"] == 2


async def test_without_javascript_the_plain_forms_work(
    open_page: Open, admin_token: str, pool: asyncpg.Pool
) -> None:
    event_id = await make_event(pool)
    attendee = await make_attendee(pool, event_id, name="Nora Nojs")
    page = await open_page(token=admin_token, js=False)
    await page.goto(f"/ui/webinars/{event_id}")
    await page.get_by_label("Attendance filter").select_option(label="Pending")
    await page.get_by_role("button", name="Show").click()
    await expect(page).to_have_url(re.compile(r"attendance=pending"))
    await page.get_by_role("checkbox", name="Select Nora Nojs").check()
    await page.get_by_role("button", name="Mark attended").click()
    await expect(page.get_by_role("status")).to_have_text("1 attendees set to “attended”.")
    assert await pool.fetchval("SELECT attended FROM calendly_attendees WHERE id = $1", attendee)


async def test_teachers_page_counts_stages_and_searches(
    open_page: Open, admin_token: str, pool: asyncpg.Pool
) -> None:
    surname = unique("Lehrerin").replace("-", "")
    teacher = await make_user(pool, f"Greta {surname}")
    before = await pool.fetchval("SELECT count(*) FROM users WHERE pipeline_status = 4")
    page = await open_page(token=admin_token)
    await page.get_by_role("link", name="Teachers").click()
    counts = page.locator("main > dl.counts")
    await expect(counts).to_contain_text(f"Info-webinar to attend (4){before}")
    await page.get_by_label("Search teacher").fill(surname.lower()[:10])
    await page.get_by_role("button", name="Search", exact=True).click()
    rows = page.locator("table.data tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text(f"Greta {surname}")
    await expect(rows.first).to_contain_text("Info-webinar to attend (4)")
    assert await pipeline_status(pool, teacher) == PipelineStatus.INFOWEBINAR_BESUCHEN


async def test_a_webinar_just_held_stays_on_the_page_with_its_attendance(
    open_page: Open, admin_token: str, pool: asyncpg.Pool
) -> None:
    name = unique("Gestern gehalten")
    held = await make_event(pool, name=name, start=datetime.now(UTC) - timedelta(days=1))
    came = await make_attendee(pool, held, name="Wilma Was-da")
    await make_attendee(pool, held, name="Nils Nicht-da")
    await pool.execute("UPDATE calendly_attendees SET attended = true WHERE id = $1", came)
    page = await open_page(token=admin_token)
    section = page.get_by_role("region", name="Held webinars (last 14 days)")
    card = section.get_by_role("article").filter(has=page.get_by_role("heading", name=name))
    await expect(card).to_contain_text("Booked2")
    await expect(card).to_contain_text("Attended1")
    await card.get_by_role("link", name=name).click()
    await expect(page.get_by_role("row").filter(has_text="Wilma Was-da")).to_contain_text(
        "attended"
    )
