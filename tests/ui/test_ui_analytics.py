"""The Analytics page (CONTRACT §8, §6) on a known set of webinars: the chart is there with its
accessible name, and the table shows the same numbers as §8 defines them."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from playwright.async_api import Page, expect

from tests.integration.admin_support import make_attendee, make_event
from tests.ui.conftest import Open

# Far from every other test's events: 2034-W02 (9 and 10 January) and 2034-W03 (17 January).
WEEK_2 = {
    datetime(2034, 1, 10, 9, tzinfo=UTC): [True, True, False, None, "cancelled"],
    datetime(2034, 1, 11, 17, tzinfo=UTC): [False],
}
WEEK_3 = {datetime(2034, 1, 17, 9, tzinfo=UTC): [True, True, True, False]}


async def _webinars(pool: asyncpg.Pool) -> None:
    for start, marks in {**WEEK_2, **WEEK_3}.items():
        event_id = await make_event(pool, start=start)
        for mark in marks:
            if mark == "cancelled":
                await make_attendee(pool, event_id, status="canceled")
            else:
                await make_attendee(pool, event_id, attended=mark)


async def _rows(page: Page, caption: str) -> list[list[str]]:
    table = page.get_by_role("table", name=caption)
    rows = []
    for row in await table.locator("tbody tr").all():
        rows.append([c.strip() for c in await row.locator("th, td").all_inner_texts()])
    return rows


async def test_analytics_shows_rates_chart_funnel_and_tables(
    open_page: Open, admin_token: str, pool: asyncpg.Pool
) -> None:
    await _webinars(pool)
    page = await open_page(token=admin_token)
    await page.get_by_role("link", name="Analytics").click()
    await page.get_by_label("From").fill("2034-01-09")
    await page.get_by_label("To").fill("2034-01-23")
    await page.get_by_label("Group by").select_option("week")
    await page.get_by_role("button", name="Show").click()
    await page.wait_for_url("**/ui/analytics?from=2034-01-09*")

    chart = page.get_by_role("img", name="Chart: attendance rate and no-show rate per period")
    await expect(chart).to_be_visible()
    await expect(chart.locator("rect")).to_have_count(4)  # two rates in each of two weeks
    assert await _rows(page, "Webinars per period") == [
        # period, webinars, booked, cancelled, attended, not attended, pending, rates
        ["2034-W02", "2", "6", "1", "2", "2", "1", "50.0 %", "50.0 %"],
        ["2034-W03", "1", "4", "0", "3", "1", "0", "75.0 %", "25.0 %"],
    ]
    await expect(page.get_by_role("img", name="Chart: teacher funnel")).to_be_visible()
    assert await _rows(page, "Funnel in numbers") == [
        ["Booked", "9"],
        ["Attended", "5"],
        ["School active", "0"],
        ["Not attended", "3"],
    ]

    await page.get_by_label("Group by").select_option("month")
    await page.get_by_role("button", name="Show").click()
    await page.wait_for_url("**group=month*")
    assert await _rows(page, "Webinars per period") == [
        ["2034-01", "3", "10", "1", "5", "3", "1", "62.5 %", "37.5 %"],
    ]

    await page.goto("/ui/analytics?from=2034-01-09&to=2034-01-23&group=week&lang=de")
    assert (await _rows(page, "Webinare pro Zeitraum"))[1][-2:] == ["75,0 %", "25,0 %"]


async def test_a_bad_date_is_named_and_the_page_still_answers(
    open_page: Open, admin_token: str
) -> None:
    page = await open_page(token=admin_token)
    response = await page.goto("/ui/analytics?from=yesterday")
    assert response is not None and response.status == 422
    await expect(page.get_by_role("alert")).to_contain_text("from")
