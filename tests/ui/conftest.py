"""Browser tests of the web UI (CONTRACT §6): Debian's Chromium driven by Playwright,
against a real `webinar-sync api` process, a worker, Postgres and the sandbox Zoom.

One browser for the whole session; each test gets a fresh context (cookies) and page. Every
page is watched: a console error, an uncaught exception or a request to anywhere but the
service fails the test.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, async_playwright

from service.sandbox.calendly import create_app as create_calendly_sandbox
from service.sandbox.serve import free_port, serving
from tests.integration.booking_support import (
    Sandbox,
    course_event,
    new_id,
    sandbox_zoom,
    send_event,
    zoom_env,
)
from tests.integration.calendly_sandbox import TOKEN as CALENDLY_TOKEN
from tests.support import ServiceProcess, eventually
from tests.ui.browser import CHROMIUM, CHROMIUM_ARGS

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ZOOM_SECRET = "ui-zoom-webhook-secret"


@pytest.fixture(scope="session")
def ui_sandbox_url() -> Iterator[str]:
    with sandbox_zoom() as url:
        yield url


@pytest.fixture(scope="session")
def calendly_url() -> Iterator[str]:
    with serving(create_calendly_sandbox()) as url:
        yield url


@pytest.fixture(scope="session")
def ui_env(service_env: dict[str, str], ui_sandbox_url: str, calendly_url: str) -> dict[str, str]:
    """The sandbox Zoom and the sandbox Calendly, as `webinar-sync up` runs them.

    Its own Redis key prefix: the browser session's worker runs until the session ends and
    must not take the messages of later tests, which run against other sandboxes."""
    port = free_port()
    return zoom_env(
        service_env,
        ui_sandbox_url,
        REDIS_KEY_PREFIX=f"ws-ui-{uuid.uuid4().hex[:10]}",
        HOST="127.0.0.1",
        PORT=str(port),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        CALENDLY_API_BASE_URL=calendly_url,
        CALENDLY_API_TOKEN=CALENDLY_TOKEN,
        ZOOM_WEBHOOK_SECRET_TOKEN=ZOOM_SECRET,
    )


@pytest.fixture(scope="session")
async def base_url(ui_env: dict[str, str]) -> AsyncIterator[str]:
    """A real API process and a worker for the whole browser session."""
    api = ServiceProcess(["api"], ui_env).start()
    worker = ServiceProcess(["worker", "--threads", "4"], ui_env).start()
    url = ui_env["PUBLIC_BASE_URL"]

    async def up() -> bool:
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(f"{url}/readyz")).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        await eventually(up, within=30)
        yield url
    finally:
        api.stop()
        worker.stop()


@pytest.fixture(scope="session")
def chromium() -> str:
    assert Path(CHROMIUM).exists(), "run the tests with `python3 dev.py test`: it installs it"
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


class Watched:
    """What a page did that no page should: console errors, exceptions, foreign requests."""

    def __init__(self, page: Page, origin: str) -> None:
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("request", lambda r: self._request(r.url, origin))
        page.on("dialog", self._dialog)

    def _request(self, url: str, origin: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob"):
            return
        if f"{parts.scheme}://{parts.netloc}" != origin:
            self.problems.append(f"request left the service's origin: {url}")

    async def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()


Open = Callable[..., Awaitable[Page]]


@pytest.fixture
async def open_page(browser: Browser, base_url: str) -> AsyncIterator[Open]:
    """`await open_page(token=…)`: a new browser context, signed in when a token is given.

    Refused responses (403, 422 …) are expected in some tests; Chromium logs each as a
    console error "Failed to load resource", so those lines alone are not counted.
    """
    contexts: list[tuple[BrowserContext, Watched]] = []

    async def open_(
        token: str | None = None, lang: str = "en", axe: bool = False, js: bool = True
    ) -> Page:
        # axe-core is injected as an inline script, which our CSP rightly blocks.
        context = await browser.new_context(
            base_url=base_url, accept_downloads=True, bypass_csp=axe, java_script_enabled=js
        )
        page = await context.new_page()
        page.set_default_timeout(10_000)
        watched = Watched(page, base_url)
        contexts.append((context, watched))
        await page.goto(f"/ui/login?lang={lang}")
        if token is not None:
            await page.get_by_label("API token" if lang == "en" else "API-Token").fill(token)
            await page.get_by_role("button", name="Sign in" if lang == "en" else "Anmelden").click()
            await page.wait_for_url("**/ui/webinars")
        return page

    yield open_
    problems = []
    for context, watched in contexts:
        problems += [p for p in watched.problems if "Failed to load resource" not in p]
        problems += [f"dialog opened: {d}" for d in watched.dialogs]
        await context.close()
    assert problems == []


@pytest.fixture(scope="session")
def zoom(ui_sandbox_url: str, base_url: str) -> Sandbox:
    """The sandbox Zoom, delivering its signed `meeting.ended` to the API under test."""
    sandbox = Sandbox(ui_sandbox_url)
    sandbox.settings(webhook_url=f"{base_url}/webhooks/zoom", webhook_secret_token=ZOOM_SECRET)
    return sandbox


async def tab_to(page: Page, target: Locator, most: int = 30) -> None:
    """Press Tab until `target` has the focus (as a keyboard user would)."""
    for _ in range(most):
        await page.keyboard.press("Tab")
        if await target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} never got the focus within {most} tabs")


async def refused_course(base_url: str, admin_token: str, zoom: Sandbox) -> tuple[str, str]:
    """A course whose Zoom host Zoom does not know: its sync fails and leaves a dead letter.

    The host stays unknown to the sandbox until a test lets it in (`zoom.settings`)."""
    course_id, host = new_id("c"), f"{new_id('h')}@example.com"
    unknown = zoom.state().get("settings", {}).get("unknown_users", [])
    zoom.settings(unknown_users=[*unknown, host])
    headers = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
        assert (await send_event(http, course_event(course_id, host=host))).status_code == 202

        async def failed() -> bool:
            detail = (await http.get(f"/api/v1/courses/{course_id}")).json()
            return (detail.get("zoom") or {}).get("sync_status") == "failed"

        await eventually(failed, within=30)
    return course_id, host


def admit(zoom: Sandbox, host: str) -> None:
    unknown = zoom.state().get("settings", {}).get("unknown_users", [])
    zoom.settings(unknown_users=[u for u in unknown if u != host])


Refuse = Callable[[], Awaitable[tuple[str, str]]]


@pytest.fixture
def refuse(base_url: str, admin_token: str, zoom: Sandbox) -> Refuse:
    """`await refuse()`: a new course that Zoom refuses, as (course id, host)."""
    return lambda: refused_course(base_url, admin_token, zoom)


async def settled(page: Page) -> None:
    """Wait until htmx has finished a request, its swap and settle (a person never acts in
    those few milliseconds; a test can)."""
    await page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
