"""ZoomClient against a small scripted Zoom served over real HTTP: retries and failure classes."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service.adapters.zoom import (
    RetryPolicy,
    ZoomAmbiguous,
    ZoomClient,
    ZoomDeferred,
    ZoomRetryable,
    ZoomTerminal,
    ZoomToken,
)
from service.adapters.zoom.transport import api_base_for
from service.sandbox.serve import free_port, serving
from tests.support import Recorder

CAUSE = {"course_id": "10062"}
FAST = RetryPolicy(attempts=3, backoff_initial_s=0.01, backoff_max_s=0.02)


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    authorization: str
    body: Any


class ScriptedZoom:
    """Answers each `METHOD /path` (below /v2) with the next scripted reply, else 200 `{}`."""

    def __init__(self) -> None:
        self.replies: dict[str, deque[Reply]] = {}
        self.seen: list[Seen] = []

    def script(self, route: str, *replies: Reply) -> None:
        self.replies.setdefault(route, deque()).extend(replies)

    async def handle(self, request: Request) -> Response:
        path = "/" + request.path_params["path"]
        raw = await request.body()
        self.seen.append(
            Seen(
                request.method,
                path,
                dict(request.query_params),
                request.headers.get("authorization", ""),
                await request.json() if raw else None,
            )
        )
        queue = self.replies.get(f"{request.method} {path}")
        reply = queue.popleft() if queue else Reply(body={})
        await asyncio.sleep(reply.delay_s)  # a slow reply is the behaviour under test
        if reply.status == 204:
            return Response(status_code=204, headers=reply.headers)
        return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)

    def app(self) -> Starlette:
        methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        return Starlette(routes=[Route("/v2/{path:path}", self.handle, methods=methods)])


class FakeTokens:
    """Issues tok-1, tok-2, …; invalidating the current one makes the next `get` a new one."""

    def __init__(self, api_url: str | None) -> None:
        self.api_url = api_url
        self.issued = 1
        self.invalidated: list[str] = []

    async def get(self) -> ZoomToken:
        return ZoomToken(f"tok-{self.issued}", self.api_url, time.time() + 3600)

    async def invalidate(self, bad_token: str) -> None:
        self.invalidated.append(bad_token)
        if bad_token == f"tok-{self.issued}":
            self.issued += 1


@dataclass
class FakeLimiter:
    acquired: list[str] = field(default_factory=list)
    lowered: list[tuple[str, int]] = field(default_factory=list)
    paused: list[tuple[str, datetime]] = field(default_factory=list)

    async def acquire(self, category: str) -> None:
        self.acquired.append(category)

    async def lower_limit(self, category: str, limit: int) -> None:
        self.lowered.append((category, limit))

    async def pause_until(self, category: str, until: datetime) -> None:
        self.paused.append((category, until))


@dataclass
class Harness:
    zoom: ScriptedZoom
    client: ZoomClient
    tokens: FakeTokens
    limiter: FakeLimiter
    recorder: Recorder

    def statuses(self) -> list[int | None]:
        return [call.status for call in self.recorder.calls]


@pytest.fixture
def zoom_url() -> Iterator[tuple[ScriptedZoom, str]]:
    zoom = ScriptedZoom()
    with serving(zoom.app()) as base_url:
        yield zoom, base_url


@pytest.fixture
async def harness(zoom_url: tuple[ScriptedZoom, str]) -> AsyncIterator[Harness]:
    zoom, base_url = zoom_url
    tokens, limiter, recorder = FakeTokens(api_url=None), FakeLimiter(), Recorder()
    async with httpx.AsyncClient(timeout=httpx.Timeout(5, read=0.3)) as http:
        client = ZoomClient(http, tokens, limiter, recorder, f"{base_url}/v2", retry=FAST)
        yield Harness(zoom, client, tokens, limiter, recorder)
    assert_no_token_recorded(recorder)


def assert_no_token_recorded(recorder: Recorder) -> None:
    for call in recorder.calls:
        assert "tok-" not in repr(call)
        assert "Bearer" not in repr(call)


async def test_server_errors_are_retried_until_zoom_answers(harness: Harness) -> None:
    harness.zoom.script(
        "GET /meetings/85746065432",
        Reply(503, {"code": 503, "message": "Service unavailable"}),
        Reply(502, "<html>bad gateway</html>"),
        Reply(200, {"id": 85746065432, "topic": "Narkose"}),
    )

    meeting = await harness.client.get_meeting(85746065432, cause=CAUSE)

    assert meeting["topic"] == "Narkose"
    assert harness.statuses() == [503, 502, 200]
    assert harness.limiter.acquired == ["light"] * 3, "every attempt takes a limiter slot"


async def test_exhausted_retries_give_retryable_with_zoom_code_and_message(
    harness: Harness,
) -> None:
    failure = Reply(500, {"code": 500, "message": "Internal error"})
    harness.zoom.script("GET /meetings/1", failure, failure, failure, Reply(200, {}))

    with pytest.raises(ZoomRetryable) as raised:
        await harness.client.get_meeting(1, cause=CAUSE)

    assert (raised.value.status, raised.value.code, raised.value.message) == (
        500,
        500,
        "Internal error",
    )
    assert harness.statuses() == [500, 500, 500]


async def test_a_post_whose_answer_is_lost_is_ambiguous_and_not_repeated(
    harness: Harness,
) -> None:
    harness.zoom.script("POST /meetings/1/registrants", Reply(201, {"id": 1}, delay_s=0.6))

    with pytest.raises(ZoomAmbiguous, match="POST /meetings/1/registrants may have been applied"):
        body = {"email": "doro@example.com", "first_name": "Rita"}
        await harness.client.add_registrant(1, body, cause={"booking_id": "BN20-00159"})

    assert len(harness.zoom.seen) == 1
    [call] = harness.recorder.calls
    assert (call.status, call.error, call.cause) == (
        None,
        "ReadTimeout",
        {"booking_id": "BN20-00159"},
    )


async def test_a_post_that_never_reached_zoom_is_retried(harness: Harness) -> None:
    nobody_listens = f"http://127.0.0.1:{free_port()}/v2"
    async with httpx.AsyncClient() as http:
        client = ZoomClient(
            http, harness.tokens, harness.limiter, harness.recorder, nobody_listens, retry=FAST
        )
        with pytest.raises(ZoomRetryable, match="ConnectError"):
            await client.create_meeting("akademie@example.com", {"topic": "x"}, cause=CAUSE)

    assert [call.error for call in harness.recorder.calls] == ["ConnectError"] * 3


async def test_a_gateway_timeout_on_a_post_is_ambiguous(harness: Harness) -> None:
    harness.zoom.script("POST /users/me/meetings", Reply(504, {"message": "Gateway Timeout"}))

    with pytest.raises(ZoomAmbiguous):
        await harness.client.create_meeting("me", {"topic": "x"}, cause=CAUSE)

    assert len(harness.zoom.seen) == 1


async def test_a_timed_out_read_is_simply_retried(harness: Harness) -> None:
    harness.zoom.script(
        "GET /meetings/1/registrants/r1",
        Reply(200, {}, delay_s=0.6),
        Reply(200, {"id": "r1", "status": "approved"}),
    )

    registrant = await harness.client.get_registrant(1, "r1", cause=CAUSE)

    assert registrant["status"] == "approved"
    assert [call.error for call in harness.recorder.calls] == ["ReadTimeout", None]


async def test_a_per_second_429_honours_retry_after_and_the_lower_limit(harness: Harness) -> None:
    harness.zoom.script(
        "GET /meetings/1/registrants",
        Reply(
            429,
            {
                "code": 429,
                "message": "You have reached the maximum per-second rate limit for this API.",
            },
            {
                "X-RateLimit-Category": "Medium",
                "X-RateLimit-Type": "QPS",
                "X-RateLimit-Limit": "15",
                "X-RateLimit-Remaining": "0",
                "Retry-After": "1",
            },
        ),
        Reply(200, {"registrants": [{"id": "r1"}], "next_page_token": ""}),
    )
    started = time.monotonic()

    registrants = await harness.client.list_registrants(1, cause=CAUSE)

    assert registrants == [{"id": "r1"}]
    assert time.monotonic() - started >= 1.0
    assert harness.limiter.lowered == [("medium", 15)]
    [(category, until)] = harness.limiter.paused
    assert category == "medium"
    assert abs((until - datetime.now(UTC)).total_seconds()) < 1.0
    assert harness.statuses() == [429, 200]
    assert harness.recorder.calls[0].vendor_code == "429"


async def test_a_retry_after_longer_than_the_policy_allows_goes_back_to_the_caller(
    harness: Harness,
) -> None:
    in_two_minutes = (datetime.now(UTC) + timedelta(minutes=2)).strftime(
        "%a, %d %b %Y %H:%M:%S GMT"
    )
    harness.zoom.script(
        "GET /meetings/1",
        Reply(
            429,
            {"code": 429, "message": "Too many concurrent requests"},
            {"Retry-After": in_two_minutes},
        ),
    )

    with pytest.raises(ZoomRetryable) as raised:
        await harness.client.get_meeting(1, cause=CAUSE)

    assert raised.value.retry_after is not None
    assert 100 < raised.value.retry_after <= 120
    assert len(harness.zoom.seen) == 1


def next_midnight_plus_a_minute() -> datetime:
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, 0, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (
            429,
            {
                "code": 429,
                "message": "You have exceeded the daily rate limit of (3) for Add meeting "
                "registrant API requests for the registrant (doro@example.com).",
            },
            {
                "X-RateLimit-Type": "Daily-limit",
                "X-RateLimit-Limit": "3",
                "Retry-After": f"{datetime.now(UTC).date() + timedelta(days=1)}T00:00:00Z",
            },
        ),
        (
            429,
            {"code": 429, "message": "You have reached the maximum daily rate limit for this API."},
            {"X-RateLimit-Category": "Light", "X-RateLimit-Limit": "6000"},
        ),
        (
            300,
            {
                "code": 300,
                "message": "A maximum of 100 meetings can be created/updated for a "
                "single user in one day.",
            },
            {},
        ),
    ],
    ids=["registrant-header", "message-only", "create-limit-code-300"],
)
async def test_a_daily_limit_defers_until_after_midnight_utc_without_retrying(
    harness: Harness, status: int, body: dict[str, Any], headers: dict[str, str]
) -> None:
    harness.zoom.script("POST /meetings/1/registrants", Reply(status, body, headers))

    with pytest.raises(ZoomDeferred) as raised:
        await harness.client.add_registrant(1, {"email": "doro@example.com"}, cause=CAUSE)

    assert raised.value.until == next_midnight_plus_a_minute()
    assert (raised.value.status, raised.value.code) == (status, body["code"])
    assert raised.value.reason == body["message"]
    assert len(harness.zoom.seen) == 1
    assert harness.limiter.lowered == [], "a daily figure must not lower the per-second limit"


@pytest.mark.parametrize(
    "rejection",
    [
        Reply(401, {"code": 124, "message": "Invalid access token."}),
        Reply(400, {"code": 124, "message": "Access token is expired."}),
    ],
    ids=["http-401", "code-124"],
)
async def test_a_rejected_token_is_refreshed_once_and_the_call_repeated(
    harness: Harness, rejection: Reply
) -> None:
    harness.zoom.script("PATCH /meetings/1", rejection, Reply(204))

    await harness.client.update_meeting(1, {"topic": "Neu"}, cause=CAUSE)

    assert harness.tokens.invalidated == ["tok-1"]
    assert [seen.authorization for seen in harness.zoom.seen] == ["Bearer tok-1", "Bearer tok-2"]
    assert harness.zoom.seen[1].body == {"topic": "Neu"}


async def test_a_token_rejected_twice_is_terminal(harness: Harness) -> None:
    rejection = Reply(401, {"code": 124, "message": "Invalid access token."})
    harness.zoom.script("DELETE /meetings/1", rejection, rejection, Reply(204))

    with pytest.raises(ZoomTerminal) as raised:
        await harness.client.delete_meeting(1, cause=CAUSE)

    assert (raised.value.status, raised.value.code) == (401, 124)
    assert len(harness.zoom.seen) == 2


async def test_other_client_errors_are_terminal_with_zoom_code_and_message(
    harness: Harness,
) -> None:
    harness.zoom.script(
        "POST /meetings/85746065432/registrants",
        Reply(400, {"code": 3027, "message": "Host cannot register"}),
    )

    with pytest.raises(ZoomTerminal) as raised:
        body = {"email": "akademie@example.com", "first_name": "Joachim"}
        await harness.client.add_registrant(85746065432, body, ["1760277600000"], cause=CAUSE)

    assert (raised.value.status, raised.value.code, raised.value.message) == (
        400,
        3027,
        "Host cannot register",
    )
    assert harness.zoom.seen[0].query == {"occurrence_ids": "1760277600000"}
    [call] = harness.recorder.calls
    assert (call.system, call.method, call.path) == (
        "zoom",
        "POST",
        "/meetings/85746065432/registrants",
    )
    assert (call.status, call.vendor_code, call.vendor_message) == (
        400,
        "3027",
        "Host cannot register",
    )
    assert call.cause == CAUSE
    assert call.duration_ms > 0


async def test_create_meeting_uses_the_medium_budget_and_returns_zoom_s_answer(
    harness: Harness,
) -> None:
    created = {"id": 85746065432, "join_url": "https://zoom.us/j/85746065432"}
    harness.zoom.script("POST /users/akademie@example.com/meetings", Reply(201, created))

    meeting = await harness.client.create_meeting(
        "akademie@example.com", {"topic": "Narkose", "type": 2}, cause=CAUSE
    )

    assert meeting == created
    assert harness.limiter.acquired == ["medium"]
    assert harness.zoom.seen[0].body == {"topic": "Narkose", "type": 2}


async def test_list_registrants_follows_every_page(harness: Harness) -> None:
    harness.zoom.script(
        "GET /meetings/1/registrants",
        Reply(200, {"registrants": [{"id": "a"}, {"id": "b"}], "next_page_token": "p2"}),
        Reply(200, {"registrants": [{"id": "c"}], "next_page_token": ""}),
    )

    registrants = await harness.client.list_registrants(1, "denied", cause=CAUSE)

    assert [r["id"] for r in registrants] == ["a", "b", "c"]
    assert [seen.query for seen in harness.zoom.seen] == [
        {"status": "denied", "page_size": "300"},
        {"status": "denied", "page_size": "300", "next_page_token": "p2"},
    ]


async def test_list_meetings_follows_every_page_on_the_medium_budget(harness: Harness) -> None:
    harness.zoom.script(
        "GET /users/akademie@example.com/meetings",
        Reply(200, {"meetings": [{"id": 1}, {"id": 2}], "next_page_token": "p2"}),
        Reply(200, {"meetings": [{"id": 3}], "next_page_token": ""}),
    )

    meetings = await harness.client.list_meetings("akademie@example.com", cause=CAUSE)

    assert [m["id"] for m in meetings] == [1, 2, 3]
    assert harness.limiter.acquired == ["medium", "medium"]
    assert [seen.query for seen in harness.zoom.seen] == [
        {"type": "scheduled", "page_size": "300"},
        {"type": "scheduled", "page_size": "300", "next_page_token": "p2"},
    ]


async def test_registrant_status_updates_go_in_batches_of_thirty(harness: Harness) -> None:
    registrants = [{"id": f"r{n}", "email": f"p{n}@example.com"} for n in range(31)]

    await harness.client.update_registrant_status(1, "cancel", registrants, cause=CAUSE)

    bodies = [seen.body for seen in harness.zoom.seen]
    assert [(body["action"], len(body["registrants"])) for body in bodies] == [
        ("cancel", 30),
        ("cancel", 1),
    ]
    assert harness.limiter.acquired == ["medium", "medium"]


async def test_an_explicit_api_base_url_is_used_over_the_tokens(
    zoom_url: tuple[ScriptedZoom, str],
) -> None:
    zoom, base_url = zoom_url
    zoom.script("DELETE /meetings/1", Reply(204))
    tokens, limiter, recorder = (
        FakeTokens(api_url="http://unused.invalid"),
        FakeLimiter(),
        Recorder(),
    )
    async with httpx.AsyncClient() as http:
        client = ZoomClient(http, tokens, limiter, recorder, f"{base_url}/v2/", retry=FAST)
        await client.delete_meeting(1, cause=CAUSE)

    assert [(seen.method, seen.path) for seen in zoom.seen] == [("DELETE", "/meetings/1")]
    assert limiter.acquired == ["light"]


@pytest.mark.parametrize(
    ("api_url", "base"),
    [
        ("https://api-eu.zoom.us", "https://api-eu.zoom.us/v2"),
        ("https://api.zoom.us/", "https://api.zoom.us/v2"),
        ("https://zoom.us", "https://zoom.us/v2"),
        ("http://api.zoom.us", "https://api.zoom.us/v2"),  # not https: the default
        ("https://evil.example", "https://api.zoom.us/v2"),
        ("https://api.zoom.us.evil.example", "https://api.zoom.us/v2"),
        ("https://evilzoom.us", "https://api.zoom.us/v2"),
        ("https://user@evil.example#.zoom.us", "https://api.zoom.us/v2"),
        (None, "https://api.zoom.us/v2"),
    ],
)
def test_the_token_is_sent_only_to_an_https_host_under_zoom_us(
    api_url: str | None, base: str
) -> None:
    assert api_base_for(api_url) == base


async def test_past_participants_start_again_when_a_page_token_expired(harness: Harness) -> None:
    expired = {"code": 300, "message": "The next page token is invalid or expired."}
    harness.zoom.script(
        "GET /past_meetings/ab+c==/participants",
        Reply(200, {"participants": [{"name": "A"}], "next_page_token": "old"}),
        Reply(400, expired),
        Reply(200, {"participants": [{"name": "A"}], "next_page_token": "new"}),
        Reply(200, {"participants": [{"name": "B"}], "next_page_token": ""}),
    )

    answer = await harness.client.list_past_participants("ab+c==", cause=CAUSE)

    assert [row["name"] for row in answer.rows] == ["A", "B"]
    assert harness.limiter.acquired == ["medium"] * 4
    assert [seen.query.get("next_page_token") for seen in harness.zoom.seen] == [
        None,
        "old",
        None,
        "new",
    ]
