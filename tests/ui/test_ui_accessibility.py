"""No serious or critical axe-core violations on any page, in both languages' default."""

from __future__ import annotations

from typing import Any

import asyncpg
from playwright.async_api import Page, expect

from tests.integration.admin_support import make_attendee, make_event, make_user
from tests.ui.conftest import AXE, Open, Refuse


async def _violations(page: Page) -> list[dict[str, Any]]:
    await page.add_script_tag(path=AXE)
    result = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {"page": page.url, "id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


async def test_no_serious_axe_violations_on_any_page(
    open_page: Open, admin_token: str, refuse: Refuse, pool: asyncpg.Pool
) -> None:
    course_id, _host = await refuse()
    letter = await pool.fetchval("SELECT max(id) FROM dead_letters")
    teacher = await make_user(pool, "Axel Access")
    event_id = await make_event(pool)
    attendee = await make_attendee(pool, event_id, name="Axel Access", user_id=teacher)
    await make_attendee(pool, event_id, name="Bea Barrierefrei", attended=True)

    login = await open_page(lang="de", axe=True)
    found = await _violations(login)
    page = await open_page(token=admin_token, axe=True)
    pages = [
        "/ui/webinars",
        f"/ui/webinars/{event_id}",
        f"/ui/webinars/{event_id}?sort=attendance&dir=desc&attendance=attended",
        f"/ui/attendees/{attendee}/edit?q=axel",
        "/ui/courses",
        f"/ui/courses/{course_id}",
        "/ui/teachers",
        "/ui/analytics",
        "/ui/analytics?from=2026-01-01&group=month",
        "/ui/attendance/unmatched",
        "/ui/notifications",
        "/ui/ops/dead-letters",
        f"/ui/ops/dead-letters/{letter}",
        "/ui/ops/integration-log",
        "/ui/webinars?lang=de",
    ]
    for path in pages:
        response = await page.goto(path)
        assert response is not None and response.status == 200, path
        await expect(page.get_by_role("main")).to_be_visible()
        found += await _violations(page)
    assert found == []
