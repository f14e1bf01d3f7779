"""Sign-in, one-time links, sign-out, roles, CSRF, security headers and language."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import asyncpg
import httpx
from playwright.async_api import expect

from service.adapters.api_tokens import create_token, revoke_token
from tests.integration.admin_support import make_attendee, make_event, unique
from tests.support import ROOT
from tests.ui.conftest import Open


async def test_sign_in_then_sign_out_ends_the_session(open_page: Open, admin_token: str) -> None:
    page = await open_page(token=admin_token)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Webinars")
    for name in ("Webinars", "Courses", "Teachers", "Analytics", "Notifications"):
        await expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    await expect(page.get_by_role("link", name="Dead letters")).to_be_visible()
    await expect(page.get_by_role("link", name="Integration log")).to_be_visible()
    [session] = [c for c in await page.context.cookies() if c["name"] == "ws_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax" and not session["secure"]
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url("**/ui/login")
    await page.goto("/ui/courses")
    await expect(page).to_have_url(f"{page.url.split('/ui/')[0]}/ui/login")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()


async def test_a_wrong_token_is_refused(open_page: Open) -> None:
    page = await open_page()
    await page.get_by_label("API token").fill("wst_not-a-token")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("unknown or revoked")
    await page.goto("/ui/webinars")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()


async def test_a_one_time_link_signs_in_once(open_page: Open, ui_env: dict[str, str]) -> None:
    name = unique("linked")
    made = subprocess.run(
        [sys.executable, "-m", "service", "ui-link", "--role", "admin", "--name", name],
        env=ui_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    url = made.stdout.strip()
    assert url.startswith(f"{ui_env['PUBLIC_BASE_URL']}/ui/login?once=")
    first = await open_page()
    await first.goto(url + "&lang=en")
    await first.get_by_role("button", name="Sign in").click()
    await first.wait_for_url("**/ui/webinars")
    await expect(first.get_by_text(f"{name} (admin)")).to_be_visible()

    second = await open_page()
    await second.goto(url + "&lang=en")
    await second.get_by_role("button", name="Sign in").click()
    await expect(second.get_by_role("alert")).to_contain_text("already used")
    await second.goto("/ui/webinars")
    await expect(second.get_by_role("button", name="Sign in")).to_be_visible()


async def test_revoking_the_token_ends_its_sessions(open_page: Open, pool: asyncpg.Pool) -> None:
    name = unique("revoked")
    async with pool.acquire() as conn:
        token = await create_token(conn, name, "admin")
        page = await open_page(token=token)
        await revoke_token(conn, name)
    await page.goto("/ui/courses")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()


async def test_an_ops_session_is_refused_an_admin_action(
    open_page: Open, ops_token: str, pool: asyncpg.Pool
) -> None:
    event_id = await make_event(pool)
    attendee = await make_attendee(pool, event_id, name="Olga Ops")
    page = await open_page(token=ops_token)
    await page.goto(f"/ui/webinars/{event_id}")
    await page.get_by_role("checkbox", name="Select Olga Ops").check()
    await page.get_by_role("button", name="Mark attended").click()
    await expect(page.get_by_role("alert")).to_contain_text("may not do this")
    assert (
        await pool.fetchval("SELECT attended FROM calendly_attendees WHERE id = $1", attendee)
        is None
    )
    await page.goto("/ui/ops/dead-letters")  # ops pages stay open to ops
    await expect(page.get_by_role("button", name="Replay matching")).to_be_visible()


async def test_a_post_without_csrf_token_is_refused_and_changes_nothing(
    open_page: Open, admin_token: str, pool: asyncpg.Pool
) -> None:
    event_id = await make_event(pool)
    attendee = await make_attendee(pool, event_id, name="Carla Csrf")
    page = await open_page(token=admin_token)
    path = f"/ui/webinars/{event_id}/attendance"
    form = {"attendee": str(attendee), "mark": "attended"}
    refused = await page.request.post(path, form=form)
    assert refused.status == 403
    assert "nothing was changed" in await refused.text()
    wrong = await page.request.post(path, form=form, headers={"X-CSRF-Token": "forged"})
    assert wrong.status == 403
    assert (
        await pool.fetchval("SELECT attended FROM calendly_attendees WHERE id = $1", attendee)
        is None
    )


async def test_security_headers_and_closed_by_default(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        home = await client.get("/", follow_redirects=False)
        assert home.status_code == 307 and home.headers["location"] == "/ui/"
        for path in (
            "/ui/",
            "/ui/webinars",
            "/ui/courses/x",
            "/ui/ops/dead-letters",
            "/ui/anything",
        ):
            response = await client.get(path)
            assert response.status_code == 303 and response.headers["location"] == "/ui/login"
        login = await client.get("/ui/login")
    csp = login.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert login.headers["x-content-type-options"] == "nosniff"
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


async def test_german_by_default_english_remembered(open_page: Open, admin_token: str) -> None:
    page = await open_page(token=admin_token, lang="de")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Webinare")
    await page.goto("/ui/courses?lang=en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Courses")
    await page.goto("/ui/teachers")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Teachers")
    await expect(page.locator("html")).to_have_attribute("lang", "en")


async def test_a_session_idle_for_eight_hours_has_ended(
    open_page: Open, pool: asyncpg.Pool
) -> None:
    name = unique("idle")
    async with pool.acquire() as conn:
        token = await create_token(conn, name, "admin")
    page = await open_page(token=token)
    await pool.execute(
        """
        UPDATE ui_sessions SET last_seen_at = now() - interval '8 hours 1 minute'
         WHERE token_id = (SELECT id FROM api_tokens WHERE name = $1)
        """,
        name,
    )
    await page.goto("/ui/courses")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    stored = await pool.fetch(
        "SELECT id_hash FROM ui_sessions s JOIN api_tokens t ON t.id = s.token_id "
        "WHERE t.name = $1",
        name,
    )
    cookie = next(c for c in await page.context.cookies() if c["name"] == "ws_session")
    # Only the SHA-256 of the session id is stored, never the id the cookie carries.
    assert [row["id_hash"] for row in stored] == [
        hashlib.sha256(cookie["value"].encode()).hexdigest()
    ]
