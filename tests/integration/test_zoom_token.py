"""The shared Zoom OAuth token against a real Redis and a small fake token endpoint over HTTP."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.adapters.vendor_calls import CallRecorder
from service.adapters.zoom import (
    RetryPolicy,
    SlidingWindowLimiter,
    TokenProvider,
    ZoomClient,
    ZoomDeferred,
    ZoomTerminal,
)
from service.sandbox.serve import serving
from tests.support import FakeClock, Recorder

CLIENT_ID, CLIENT_SECRET, ACCOUNT_ID = "client-id", "very-secret", "acct-1"


@dataclass
class FakeZoom:
    """Issues tokens `tok-1`, `tok-2`, … and serves one meeting that only the newest token opens."""

    token_requests: int = 0
    delay_s: float = 0.2
    refuse_credentials: bool = False
    meeting_requests: list[str] = field(default_factory=list)

    async def token(self, request: Request) -> JSONResponse:
        form = {
            name: values[0] for name, values in parse_qs((await request.body()).decode()).items()
        }
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        assert request.headers["authorization"] == f"Basic {expected}"
        assert form["grant_type"] == "account_credentials"
        assert form["account_id"] == ACCOUNT_ID
        if self.refuse_credentials:
            body = {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
            return JSONResponse(body, status_code=400)
        self.token_requests += 1
        number = self.token_requests
        # A deliberately slow token endpoint: long enough for concurrent callers to overlap.
        await asyncio.sleep(self.delay_s)
        return JSONResponse(
            {
                "access_token": f"tok-{number}",
                "token_type": "bearer",
                "expires_in": 3600,
                "scope": "meeting:read:meeting:admin",
                "api_url": str(request.base_url).rstrip("/"),
            }
        )

    async def meeting(self, request: Request) -> JSONResponse:
        bearer = request.headers["authorization"].removeprefix("Bearer ")
        self.meeting_requests.append(bearer)
        if bearer != f"tok-{self.token_requests}":
            return JSONResponse({"code": 124, "message": "Invalid access token."}, status_code=401)
        return JSONResponse({"id": 1, "topic": "Narkose"})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/oauth/token", self.token, methods=["POST"]),
                Route("/v2/meetings/1", self.meeting),
            ]
        )


@pytest.fixture
def zoom() -> Iterator[tuple[FakeZoom, str]]:
    fake = FakeZoom()
    with serving(fake.app()) as base_url:
        yield fake, base_url


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def provider(
    redis: Redis,
    prefix: str,
    base_url: str,
    http: httpx.AsyncClient,
    *,
    clock: Callable[[], float] = time.time,
    recorder: CallRecorder | None = None,
) -> TokenProvider:
    return TokenProvider(
        redis,
        prefix,
        token_url=f"{base_url}/oauth/token",
        account_id=ACCOUNT_ID,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        http=http,
        recorder=recorder,
        clock=clock,
    )


async def test_many_concurrent_callers_cause_exactly_one_token_request(
    redis: Redis, prefix: str, zoom: tuple[FakeZoom, str]
) -> None:
    fake, base_url = zoom
    async with httpx.AsyncClient() as a, httpx.AsyncClient() as b, httpx.AsyncClient() as c:
        workers = [provider(redis, prefix, base_url, http) for http in (a, b, c)]
        tokens = await asyncio.gather(*(workers[i % 3].get() for i in range(30)))

    assert fake.token_requests == 1
    assert {token.access_token for token in tokens} == {"tok-1"}
    cached = json.loads(await redis.get(f"{prefix}zoom:token") or "{}")
    assert cached["access_token"] == "tok-1"
    assert cached["api_url"] == base_url
    assert await redis.get(f"{prefix}zoom:token:lock") is None, "the lock is released"


async def test_the_token_is_refreshed_60_seconds_before_it_expires(
    redis: Redis, prefix: str, zoom: tuple[FakeZoom, str], http: httpx.AsyncClient
) -> None:
    _, base_url = zoom
    clock = FakeClock(datetime.fromtimestamp(1_800_000_000, UTC))
    tokens = provider(redis, prefix, base_url, http, clock=clock)

    first = await tokens.get()
    clock.now += 3600 - 61
    still_first = await tokens.get()
    clock.now += 2
    second = await tokens.get()

    assert (first.access_token, still_first.access_token, second.access_token) == (
        "tok-1",
        "tok-1",
        "tok-2",
    )
    assert second.expires_at == clock.now + 3600


async def test_a_rejected_token_is_replaced_once_however_many_workers_saw_it_fail(
    redis: Redis, prefix: str, zoom: tuple[FakeZoom, str], http: httpx.AsyncClient
) -> None:
    fake, base_url = zoom
    tokens = provider(redis, prefix, base_url, http)
    bad = (await tokens.get()).access_token

    async def saw_401() -> str:
        await tokens.invalidate(bad)
        return (await tokens.get()).access_token

    replacements = await asyncio.gather(*(saw_401() for _ in range(10)))
    await tokens.invalidate(bad)  # a late report about the old token drops nothing

    assert set(replacements) == {"tok-2"}
    assert (await tokens.get()).access_token == "tok-2"
    assert fake.token_requests == 2


async def test_missing_credentials_defer_zoom_work_without_calling_zoom(
    redis: Redis, prefix: str, zoom: tuple[FakeZoom, str], http: httpx.AsyncClient
) -> None:
    fake, base_url = zoom
    tokens = TokenProvider(
        redis,
        prefix,
        token_url=f"{base_url}/oauth/token",
        account_id=None,
        client_id="",
        client_secret=None,
        http=http,
    )

    with pytest.raises(ZoomDeferred, match="credentials are not configured"):
        await tokens.get()
    assert fake.token_requests == 0


async def test_refused_credentials_are_terminal_and_the_secret_is_never_reported(
    redis: Redis, prefix: str, zoom: tuple[FakeZoom, str], http: httpx.AsyncClient
) -> None:
    fake, base_url = zoom
    fake.refuse_credentials = True
    recorder = Recorder()
    tokens = provider(redis, prefix, base_url, http, recorder=recorder)

    with pytest.raises(ZoomTerminal) as refused:
        await tokens.get()

    assert refused.value.status == 400
    assert "Invalid client_id or client_secret" in str(refused.value)
    [call] = recorder.calls
    assert (call.method, call.path, call.status, call.vendor_code) == (
        "POST",
        "/oauth/token",
        400,
        "invalid_client",
    )
    assert CLIENT_SECRET not in repr(call) + str(refused.value)


async def test_client_refreshes_a_rejected_token_once_and_retries(
    redis: Redis, prefix: str, zoom: tuple[FakeZoom, str], http: httpx.AsyncClient
) -> None:
    """End to end: real token provider and limiter; Zoom stops accepting the cached token."""
    fake, base_url = zoom
    recorder = Recorder()
    tokens = provider(redis, prefix, base_url, http, recorder=recorder)
    await tokens.get()
    fake.token_requests += 1  # Zoom now only accepts a token it has not issued yet
    limiter = SlidingWindowLimiter(redis, prefix, {"light": 30, "medium": 20, "heavy": 10})
    # the fake is not under zoom.us: name it as ZOOM_API_BASE_URL would
    client = ZoomClient(
        http, tokens, limiter, recorder, f"{base_url}/v2", retry=RetryPolicy(attempts=1)
    )

    meeting = await client.get_meeting(1, cause={"course_id": "10062"})

    assert meeting["topic"] == "Narkose"
    assert fake.meeting_requests == ["tok-1", "tok-3"]
    statuses = [(call.path, call.status, call.vendor_code) for call in recorder.calls]
    assert statuses == [
        ("/oauth/token", 200, None),
        ("/meetings/1", 401, "124"),
        ("/oauth/token", 200, None),
        ("/meetings/1", 200, None),
    ]
    assert not any("tok-" in repr(call) for call in recorder.calls)
