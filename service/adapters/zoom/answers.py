"""One Zoom request (method, path, category) and how its answer is read: Zoom's error code,
auth failures, daily limits, and what a missing answer means (retryable or ambiguous)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from service.adapters.zoom.errors import ZoomAmbiguous, ZoomRetryable

MeetingId = int | str
Json = dict[str, Any]
DAILY_LIMIT_TEXT = re.compile(r"\bdaily\b|in one day|per day", re.IGNORECASE)
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class ZoomRequest:
    method: str
    path: str
    category: str
    cause: Mapping[str, str]
    params: dict[str, str] = field(default_factory=dict)
    body: Json | None = None

    @property
    def repeatable(self) -> bool:
        """Whether sending it twice is harmless; POST creates something each time."""
        return self.method != "POST"


def zoom_error(response: httpx.Response) -> tuple[int | None, str | None]:
    """Zoom's `{"code", "message"}` of a failed response, (None, None) otherwise."""
    if response.is_success:
        return None, None
    try:
        data = response.json()
    except ValueError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    code = data.get("code")
    message = data.get("message")
    return (code if isinstance(code, int) else None), (str(message) if message else None)


def is_auth_failure(response: httpx.Response) -> bool:
    return response.status_code == 401 or zoom_error(response)[0] == 124


def is_daily_limit(response: httpx.Response, message: str) -> bool:
    """A daily quota is spent: by Zoom's header, else by its message (user-level limits omit it).

    The 100-per-day meeting create/update limit sometimes arrives as code 300 instead of 429.
    """
    if response.status_code == 429 and response.headers.get("X-RateLimit-Type"):
        return response.headers["X-RateLimit-Type"].lower() == "daily-limit"
    return 300 <= response.status_code < 500 and bool(DAILY_LIMIT_TEXT.search(message))


def transport_failure(request: ZoomRequest, exc: httpx.TransportError) -> Exception:
    """No answer: retryable if the request never left or is harmless to repeat."""
    if isinstance(exc, NEVER_SENT) or request.repeatable:
        return ZoomRetryable(f"no answer from Zoom: {type(exc).__name__}")
    return ZoomAmbiguous(
        f"{request.method} {request.path} may have been applied: {type(exc).__name__}"
    )


def instance_segment(uuid: str) -> str:
    """A meeting instance UUID as a path segment: encoded twice when it starts with `/` or
    contains `//`, as Zoom requires for exactly those (UUIDs are base64: `+`, `/`, `=`)."""
    once = quote(uuid, safe="")
    return quote(once, safe="") if uuid.startswith("/") or "//" in uuid else once


def meeting_path(meeting_id: MeetingId) -> str:
    return f"/meetings/{path_segment(str(meeting_id))}"


def path_segment(value: str) -> str:
    """A path segment; e-mail addresses (host user ids) stay readable."""
    return quote(value, safe="@.+")
