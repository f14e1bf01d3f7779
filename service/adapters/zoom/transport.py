"""One call to Zoom's REST API, with the retry and failure rules of docs/architecture.md
("Failures are classified"); the endpoints are in `meeting_calls.py`, `registrant_calls.py`
and `past_meeting_calls.py`, joined in `client.py`.

Every HTTP attempt first takes a slot from the shared rate limiter and is reported to the
`CallRecorder` (status, duration, Zoom's code and message, cause; never the token). Failures come
out as one of the classes in `errors`:

- 5xx, network errors (and per-second 429s) are retried here with full-jitter exponential
  backoff; a 429 also honours `Retry-After` and a lower `X-RateLimit-Limit` for all workers.
  When the attempts run out the caller gets `ZoomRetryable`.
- a daily-limit 429 → `ZoomDeferred` until just after the next 00:00 UTC, at once.
- 401 / code 124 → the shared token is invalidated, refreshed and the call repeated once.
- other 4xx → `ZoomTerminal` at once.
- a POST whose answer was lost (read timeout, dropped connection, 504) → `ZoomAmbiguous`: it may
  have been applied and repeating it could spend a registrant's 3 daily adds or create a
  second meeting, so the caller must look the object up first.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
import structlog
from redis.exceptions import RedisError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_random_exponential

from service.adapters.vendor_calls import CallRecorder, VendorCall
from service.adapters.zoom import errors
from service.adapters.zoom.answers import (
    Json,
    ZoomRequest,
    is_auth_failure,
    is_daily_limit,
    transport_failure,
    zoom_error,
)
from service.adapters.zoom.errors import ZoomAmbiguous, ZoomDeferred, ZoomRetryable, ZoomTerminal
from service.adapters.zoom.ports import RateLimiter, RetryPolicy, TokenSource
from service.adapters.zoom.retry_after import next_daily_reset, parse_retry_after
from service.adapters.zoom.token import ZoomToken
from service.domain.numbers import ascii_int

DEFAULT_API_BASE_URL = "https://api.zoom.us/v2"
LIGHT, MEDIUM, HEAVY = "light", "medium", "heavy"
LIST_PAGE_SIZE = 300  # Zoom's maximum for registrant and meeting lists

log = structlog.get_logger(__name__)


def api_base_for(api_url: str | None) -> str:
    """Where to send the bearer token: the token's regional `api_url` when it is an https
    host under zoom.us, else the default (ZOOM_API_BASE_URL overrides both). A token
    endpoint answering with another host must not get our token sent anywhere it likes."""
    if api_url:
        parts = urlsplit(api_url)
        host = (parts.hostname or "").lower()
        if parts.scheme == "https" and (host == "zoom.us" or host.endswith(".zoom.us")):
            return api_url.rstrip("/") + "/v2"
        log.warning("Zoom token names an api_url outside *.zoom.us; using the default")
    return DEFAULT_API_BASE_URL


class ZoomTransport:
    """Token, rate limiter, retries, failure classes and the call record, for every endpoint.

    `cause` (e.g. {"course_id": "10062"}) is passed to the recorder so ops can see why we called.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: TokenSource,
        limiter: RateLimiter,
        recorder: CallRecorder,
        api_base_url: str | None = None,
        *,
        retry: RetryPolicy | None = None,
    ):
        self._http = http
        self._tokens = tokens
        self._limiter = limiter
        self._recorder = recorder
        self._api_base_url = api_base_url.rstrip("/") if api_base_url else None
        self._retry = retry or RetryPolicy()
        self._backoff = wait_random_exponential(
            multiplier=self._retry.backoff_initial_s, max=self._retry.backoff_max_s
        )

    async def _every_page(
        self,
        path: str,
        key: str,
        params: Mapping[str, str],
        cause: Mapping[str, str],
        pages: list[int] | None = None,
    ) -> list[Json]:
        """A Medium list endpoint read to the end, following `next_page_token`.

        `pages`, when given, gets one entry per page read (the number of items on it).
        """
        query = {**params, "page_size": str(LIST_PAGE_SIZE)}
        items: list[Json] = []
        while True:
            page = await self._json(ZoomRequest("GET", path, MEDIUM, cause, params=dict(query)))
            found = page.get(key) or []
            items.extend(found)
            if pages is not None:
                pages.append(len(found))
            next_page_token = page.get("next_page_token")
            if not next_page_token:
                return items
            query["next_page_token"] = str(next_page_token)

    async def _json(self, request: ZoomRequest) -> Json:
        response = await self._call(request)
        try:
            data = response.json() if response.content else {}
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ZoomTerminal(response.status_code, None, "Zoom answered with a non-object body")
        return data

    async def _call(self, request: ZoomRequest) -> httpx.Response:
        """One logical call: attempts, backoff and waits as the retry policy allows."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._retry.attempts),
            wait=self._wait,
            retry=retry_if_exception(self._worth_retrying),
            before_sleep=_log_retry,
            reraise=True,
        )
        response: httpx.Response = await retrying(self._attempt, request)
        return response

    async def _attempt(self, request: ZoomRequest) -> httpx.Response:
        """One attempt, including the single token refresh that a 401 / code 124 earns."""
        try:
            token = await self._tokens.get()
            response = await self._send(request, token)
            if is_auth_failure(response):
                await self._tokens.invalidate(token.access_token)
                response = await self._send(request, await self._tokens.get())
            return await self._check(request, response)
        except RedisError as exc:
            message = f"Redis (Zoom token / rate limiter) unavailable: {type(exc).__name__}"
            raise ZoomRetryable(message) from exc

    async def _send(self, request: ZoomRequest, token: ZoomToken) -> httpx.Response:
        await self._limiter.acquire(request.category)
        started = time.perf_counter()
        try:
            response = await self._http.request(
                request.method,
                self._base_url(token) + request.path,
                params=request.params,
                json=request.body,
                headers={"Authorization": f"Bearer {token.access_token}"},
            )
        except httpx.TransportError as exc:
            await self._record(request, started, error=type(exc).__name__)
            raise transport_failure(request, exc) from exc
        code, message = zoom_error(response)
        await self._record(request, started, status=response.status_code, code=code, msg=message)
        return response

    async def _check(self, request: ZoomRequest, response: httpx.Response) -> httpx.Response:
        """Return a 2xx response; turn anything else into the right failure class."""
        status = response.status_code
        if response.is_success:
            return response
        code, message = zoom_error(response)
        text = message or response.reason_phrase
        if is_daily_limit(response, text):
            until = next_daily_reset(datetime.now(UTC), response.headers.get("Retry-After"))
            raise ZoomDeferred(until, text, status=status, code=code)
        if status == 429:
            retry_after = await self._follow_rate_limit(request, response)
            raise ZoomRetryable(text, status=status, code=code, retry_after=retry_after)
        if status == 504 and not request.repeatable:
            raise ZoomAmbiguous(
                f"{request.method} {request.path} may have been applied: {text}",
                status=status,
                code=code,
            )
        if status >= 500:
            raise ZoomRetryable(text, status=status, code=code)
        raise errors.terminal(status, code, text)

    async def _follow_rate_limit(
        self, request: ZoomRequest, response: httpx.Response
    ) -> float | None:
        """Share what a per-second 429 taught us with all workers; return the wait in seconds."""
        limit = ascii_int(response.headers.get("X-RateLimit-Limit"), max_digits=6)
        if limit:
            await self._limiter.lower_limit(request.category, limit)
        now = datetime.now(UTC)
        until = parse_retry_after(response.headers.get("Retry-After"), now)
        if until is None:
            return None
        await self._limiter.pause_until(request.category, until)
        return max(0.0, (until - now).total_seconds())

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, ZoomRetryable) and failure.retry_after is not None:
            return failure.retry_after
        return float(self._backoff(state))

    def _worth_retrying(self, failure: BaseException) -> bool:
        if not isinstance(failure, ZoomRetryable):
            return False
        return failure.retry_after is None or failure.retry_after <= self._retry.max_retry_after_s

    def _base_url(self, token: ZoomToken) -> str:
        if self._api_base_url:
            return self._api_base_url
        return api_base_for(token.api_url)

    async def _record(
        self,
        request: ZoomRequest,
        started: float,
        *,
        status: int | None = None,
        code: int | None = None,
        msg: str | None = None,
        error: str | None = None,
    ) -> None:
        """Report the attempt; a failing integration log must not turn a done call into an error."""
        call = VendorCall(
            system="zoom",
            method=request.method,
            path=request.path,
            status=status,
            duration_ms=(time.perf_counter() - started) * 1000,
            vendor_code=None if code is None else str(code),
            vendor_message=msg,
            error=error,
            cause=dict(request.cause),
        )
        try:
            await self._recorder.record(call)
        except Exception:
            log.exception("zoom.call_not_recorded", method=call.method, path=call.path)


def _log_retry(state: RetryCallState) -> None:
    failure = state.outcome.exception() if state.outcome else None
    log.warning(
        "zoom.call_retrying",
        attempt=state.attempt_number,
        wait_s=round(state.upcoming_sleep, 3),
        failure=str(failure),
    )
