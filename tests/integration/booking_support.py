"""Shared by the booking → Zoom tests: signed booking events, the sandbox Zoom, worker envs, reads.

Tests talk to the real API over HTTP, real worker processes do the work, and the sandbox Zoom is
served over HTTP; assertions read the sandbox's control API, the API and Postgres.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx

from service.sandbox.booking_push import standard_webhook_headers
from service.sandbox.serve import serving
from service.sandbox.zoom import ZoomSandboxSettings, create_app
from tests.support import BOOKING_TEST_SECRET


def sign(
    body: bytes,
    secret: str = BOOKING_TEST_SECRET,
    webhook_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, str]:
    return standard_webhook_headers(body, secret, webhook_id, timestamp)


async def send_event(http: httpx.AsyncClient, event: dict[str, Any]) -> httpx.Response:
    body = json.dumps(event).encode()
    return await http.post("/webhooks/booking", content=body, headers=sign(body))


def new_id(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def course_event(
    course_id: str,
    *,
    version: int = 1,
    host: str | None = None,
    title: str = "Narkose Grundschulung - Zoom-Webinar am Abend",
    sessions: list[tuple[str, str, str]] | None = None,
    status: str = "confirmed",
    max_participants: int | None = 100,
    **changes: Any,
) -> dict[str, Any]:
    """A course in the Zoom room hosted by its supervisor; each test gets its own host."""
    sessions = sessions or [("2031-10-13", "16:00", "21:00")]
    course = {
        "id": course_id,
        "version": version,
        "title": title,
        "status": status,
        "timezone": "Europe/Berlin",
        "sessions": [{"date": d, "start": s, "end": e} for d, s, e in sessions],
        "venue": {
            "id": "zoom-room",
            "name": "Zoom Meeting Room",
            "kind": "zoom",
            "max_participants": max_participants,
        },
        "moderator": "supervisor",
        "supervisor": {
            "id": "u-7",
            "name": "Joachim Fuchsluger",
            "email": "j.fuchsluger@example.com",
            "zoom_user": host or f"host-{course_id}@example.com",
        },
        "trainers": [
            {
                "id": "t-3",
                "name": "Alexei Daiter",
                "email": "a.daiter@example.com",
                "zoom_user": None,
                "moderator": False,
            }
        ],
        **changes,
    }
    return {
        "type": "course.upserted",
        "timestamp": "2031-10-01T12:00:00Z",
        "data": {"course": course},
    }


def booking_event(
    booking_id: str,
    course_id: str,
    *,
    version: int = 1,
    email: str | None = None,
    status: str = "confirmed",
    first_name: str = "Rita",
) -> dict[str, Any]:
    return {
        "type": "booking.upserted",
        "timestamp": now(),
        "data": {
            "booking": {
                "id": booking_id,
                "version": version,
                "course_id": course_id,
                "status": status,
                "participant": {
                    "first_name": first_name,
                    "last_name": "Doro",
                    "email": email or f"{booking_id.lower()}@example.com",
                },
            }
        },
    }


def now() -> str:
    """The booking system's clock: events built one after another are booked in that order."""
    return datetime.now(UTC).isoformat()


def booking_cancelled(booking_id: str, course_id: str, version: int) -> dict[str, Any]:
    return {
        "type": "booking.cancelled",
        "timestamp": now(),
        "data": {"booking_id": booking_id, "course_id": course_id, "version": version},
    }


def course_cancelled(course_id: str, version: int) -> dict[str, Any]:
    return {
        "type": "course.cancelled",
        "timestamp": "2031-10-02T12:00:00Z",
        "data": {"course_id": course_id, "version": version},
    }


@contextmanager
def sandbox_zoom(**settings: Any) -> Iterator[str]:
    with serving(create_app(ZoomSandboxSettings(**settings))) as url:
        yield url


def zoom_env(service_env: dict[str, str], sandbox_url: str, **extra: str) -> dict[str, str]:
    """A worker environment pointed at the sandbox Zoom (the API fixture has no Zoom creds)."""
    return {
        **service_env,
        "ZOOM_ACCOUNT_ID": "sandbox",
        "ZOOM_CLIENT_ID": "sandbox",
        "ZOOM_CLIENT_SECRET": "sandbox",
        "ZOOM_OAUTH_TOKEN_URL": f"{sandbox_url}/oauth/token",
        "ZOOM_API_BASE_URL": f"{sandbox_url}/v2",
        **extra,
    }


class Sandbox:
    """The sandbox's control API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=10)

    def state(self) -> dict[str, Any]:
        return dict(self.http.get("/_sandbox/state").json())

    def requests(self) -> list[dict[str, Any]]:
        return list(self.http.get("/_sandbox/requests").json()["requests"])

    def meetings(self, host: str) -> list[dict[str, Any]]:
        return [m for m in self.state()["meetings"] if m["host_email"] == host]

    def meeting(self, meeting_id: int) -> dict[str, Any] | None:
        return next((m for m in self.state()["meetings"] if m["id"] == meeting_id), None)

    def calls(self, meeting_id: int | None = None, host: str | None = None) -> list[dict[str, Any]]:
        """The API calls (not OAuth) about one meeting or host."""
        return [
            r
            for r in self.requests()
            if (meeting_id is not None and f"/meetings/{meeting_id}" in r["path"])
            or (host is not None and f"/users/{host}/" in r["path"])
        ]

    def fault(self, **spec: Any) -> None:
        self.http.post("/_sandbox/faults", json=spec).raise_for_status()

    def clear_faults(self) -> None:
        self.http.delete("/_sandbox/faults").raise_for_status()

    def settings(self, **changes: Any) -> None:
        self.http.post("/_sandbox/settings", json=changes).raise_for_status()

    def expire_tokens(self) -> None:
        self.http.post("/_sandbox/tokens/expire").raise_for_status()

    def reset(self) -> None:
        self.http.post("/_sandbox/reset").raise_for_status()

    def authorization(self) -> dict[str, str]:
        token = self.http.post(
            "/oauth/token",
            params={"grant_type": "account_credentials", "account_id": "sandbox"},
            auth=("sandbox", "sandbox"),
        ).json()["access_token"]
        return {"Authorization": f"Bearer {token}"}

    def create_meeting(self, host: str, **body: Any) -> int:
        """A meeting created through Zoom's API (not by a course sync)."""
        body = {
            "topic": "Infowebinar",
            "type": 2,
            "start_time": "2031-10-13T16:00:00Z",
            "duration": 60,
            "settings": {"approval_type": 0},
            **body,
        }
        response = self.http.post(
            f"/v2/users/{host}/meetings", json=body, headers=self.authorization()
        )
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def hold(self, meeting_id: int, **spec: Any) -> dict[str, Any]:
        """Hold the meeting now (participants, segments); delivers `meeting.ended`."""
        response = self.http.post(f"/_sandbox/meetings/{meeting_id}/hold", json=spec)
        assert response.status_code == 201, response.text
        held: dict[str, Any] = response.json()
        return held


async def meeting_row(pool: asyncpg.Pool, course_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow("SELECT * FROM zoom_meetings WHERE course_id = $1", course_id)
    return dict(row) if row is not None else None


async def registrant_row(pool: asyncpg.Pool, booking_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow("SELECT * FROM zoom_registrants WHERE booking_id = $1", booking_id)
    return dict(row) if row is not None else None


async def zoom_calls_for(pool: asyncpg.Pool, course_id: str) -> int:
    """Calls to Zoom caused by one course (the integration log's `cause`)."""
    count: int = await pool.fetchval(
        "SELECT count(*) FROM integration_log WHERE cause ->> 'course_id' = $1", course_id
    )
    return count
