"""Screenshots of the web UI's main pages, from a running service (see docs/ui.md).

    .venv/bin/python docs/ui/screenshots.py --base-url http://127.0.0.1:8000 --token wst_…

The token is any admin API token (`python3 dev.py run token create --role admin --name shots`).
Pictures go to docs/ui/*.png; the README shows them. Needs Chromium at /usr/bin/chromium
(`python3 dev.py test` installs it when it can).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.ui.browser import CHROMIUM, CHROMIUM_ARGS

OUT = Path(__file__).parent


def _first_link(page: Page, pattern: str) -> str | None:
    for href in page.eval_on_selector_all("main a[href]", "els => els.map(e => e.href)"):
        if re.search(pattern, href):
            return str(href)
    return None


def shoot(base_url: str, token: str, lang: str) -> list[Path]:
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(f"{base_url}/ui/login?lang={lang}")
        page.locator("#token").fill(token)
        page.locator("form button[type=submit]").click()
        page.wait_for_url("**/ui/webinars")

        def snap(name: str, url: str | None) -> None:
            if url is None:
                return
            page.goto(url)
            path = OUT / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            written.append(path)

        snap("webinars", f"{base_url}/ui/webinars")
        event = _first_link(page, r"/ui/webinars/\d+$")
        snap("event", event)
        snap("attendee-edit", event and _first_link(page, r"/ui/attendees/\d+/edit$"))
        snap("courses", f"{base_url}/ui/courses")
        snap("course", _first_link(page, r"/ui/courses/[^/?]+$"))
        snap("teachers", f"{base_url}/ui/teachers")
        snap("analytics", f"{base_url}/ui/analytics?group=month")
        snap("unmatched", f"{base_url}/ui/attendance/unmatched")
        snap("notifications", f"{base_url}/ui/notifications")
        snap("dead-letters", f"{base_url}/ui/ops/dead-letters")
        snap("integration-log", f"{base_url}/ui/ops/integration-log")
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", default=os.environ.get("WEBINAR_SYNC_TOKEN"))
    parser.add_argument("--lang", default="de", choices=["de", "en"])
    args = parser.parse_args()
    if not args.token:
        parser.error("give --token (or WEBINAR_SYNC_TOKEN): an admin API token")
    for path in shoot(args.base_url.rstrip("/"), args.token, args.lang):
        print(path)


if __name__ == "__main__":
    main()
