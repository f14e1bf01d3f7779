"""Shared by the attendance tests: an API that takes Zoom webhooks, a worker, both sandboxes.

Import `stack_fixture` and `api_fixture` into a test module to use `stack` and `api`.

The sandbox Zoom delivers `meeting.ended` to this module's API (signed with the test secret);
the sandbox Calendly delivers its webhooks there too, so no-shows we send come back as they
would from Calendly. Assertions read the API, Postgres and the sandboxes' control APIs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx
import pytest

from service.app import create_app
from service.config import load_settings
from service.sandbox.calendly import create_app as create_calendly
from service.sandbox.serve import serving
from tests.integration.booking_support import Sandbox, sandbox_zoom, zoom_env
from tests.support import CALENDLY_TEST_KEY, ServiceProcess, eventually

ZOOM_SECRET = "zoom-attendance-test-secret"
CALENDLY_TOKEN = "sandbox-calendly-token"
HOST = "akademie@example.com"


@dataclass
class Stack:
    api: str
    zoom: Sandbox
    calendly: httpx.Client
    env: dict[str, str]

    def authorization(self) -> dict[str, str]:
        return self.zoom.authorization()

    async def participants_listed(self, uuid: str) -> bool:
        """Whether the sandbox Zoom lists the instance's participants yet."""
        path = f"/v2/past_meetings/{quote(quote(uuid, safe=''), safe='')}/participants"
        return self.zoom.http.get(path, headers=self.authorization()).status_code == 200

    def create_meeting(self, **body: Any) -> int:
        return self.zoom.create_meeting(HOST, **body)

    def hold(self, meeting_id: int, **spec: Any) -> dict[str, Any]:
        return self.zoom.hold(meeting_id, **spec)

    def calendly_control(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.calendly.post(f"/_sandbox/{path}", json=body)
        assert response.is_success, response.text
        result: dict[str, Any] = response.json()
        return result

    def calendly_get(self, path: str) -> httpx.Response:
        return self.calendly.get(path, headers={"Authorization": f"Bearer {CALENDLY_TOKEN}"})

    def calendly_requests(self, method: str, prefix: str) -> list[dict[str, Any]]:
        logged = self.calendly.get("/_sandbox/requests").json()["requests"]
        return [r for r in logged if r["method"] == method and r["path"].startswith(prefix)]


@pytest.fixture(scope="module", name="stack")
def stack_fixture(service_env: dict[str, str]) -> Iterator[Stack]:
    with (
        sandbox_zoom() as zoom_url,
        serving(create_calendly()) as calendly_url,
        httpx.Client(base_url=calendly_url, timeout=30) as calendly,
    ):
        env = zoom_env(
            service_env,
            zoom_url,
            ZOOM_WEBHOOK_SECRET_TOKEN=ZOOM_SECRET,
            CALENDLY_API_TOKEN=CALENDLY_TOKEN,
            CALENDLY_API_BASE_URL=calendly_url,
        )
        with serving(create_app(load_settings(env))) as api:
            zoom = Sandbox(zoom_url)
            zoom.settings(webhook_url=f"{api}/webhooks/zoom", webhook_secret_token=ZOOM_SECRET)
            info = calendly.post("/_sandbox/reset").json()
            subscribed = calendly.post(
                "/webhook_subscriptions",
                headers={"Authorization": f"Bearer {CALENDLY_TOKEN}"},
                json={
                    "url": f"{api}/webhooks/calendly",
                    "events": [
                        "invitee.created",
                        "invitee.canceled",
                        "invitee_no_show.created",
                        "invitee_no_show.deleted",
                    ],
                    "organization": info["organization"],
                    "scope": "organization",
                    "signing_key": CALENDLY_TEST_KEY,
                },
            )
            assert subscribed.status_code == 201, subscribed.text
            worker = ServiceProcess(["worker", "--threads", "4"], env).start()
            try:
                yield Stack(api, zoom, calendly, env)
            finally:
                worker.stop()


@pytest.fixture(name="api")
async def api_fixture(stack: Stack, admin_token: str) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(base_url=stack.api, headers=headers, timeout=30) as client:
        yield client


async def import_of(pool: asyncpg.Pool, uuid: str, status: str = "done") -> dict[str, Any]:
    async def found() -> dict[str, Any]:
        row = await pool.fetchrow(
            "SELECT * FROM attendance_imports WHERE uuid = $1 AND status = $2", uuid, status
        )
        return dict(row) if row else {}

    return await eventually(found, within=60)
