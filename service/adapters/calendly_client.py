"""Our Calendly v2 REST client: the reads the sync needs and webhook-subscription management.

Why it looks the way it does (facts §5-§6):
- Calendly limits requests per user per minute and says so on every response; when
  `X-RateLimit-Remaining` hits 0 we wait `X-RateLimit-Reset` seconds before the next call,
  and on 429 we wait `Retry-After` (if sent) or `X-RateLimit-Reset`, then retry (bounded).
- 5xx and network failures are retried with exponential backoff and jitter (bounded); a POST
  is retried only when the request never reached Calendly, so a retry cannot create twice.
- Pages are followed by resending `page_token` with the same filters against our own base URL,
  never by following `next_page`, so the token only ever goes to the configured host.
- Errors are `CalendlyError` subclasses whose message tells ops what to change.
- Every HTTP attempt is reported to the integration log; the token never is.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from service.adapters.calendly_errors import (
    CalendlyAuthError,
    CalendlyConflict,
    CalendlyError,
    CalendlyInvalidRequest,
    CalendlyNotFound,
    CalendlyPermissionDenied,
    CalendlyPlanRequired,
    CalendlyRateLimited,
    CalendlyScopeNotFound,
    CalendlyUnavailable,
    VendorAnswer,
    header_seconds,
)
from service.adapters.vendor_calls import CallRecorder, VendorCall

PAGE_SIZE = 100
MAX_ATTEMPTS = 5
MAX_RATE_WAIT_S = 65.0  # Calendly's window is a minute; a longer wait means a bogus header
DEFAULT_RATE_WAIT_S = 60.0
REQUEST_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class _Context:
    """What a request was about, so an error can name the setting to fix."""

    scope_uris: Mapping[str, str] | None = None  # query/body parameter -> URI
    webhooks: bool = False


def calendly_time(moment: datetime | str) -> str:
    """Calendly wants UTC like 2020-01-02T03:04:05.678123Z; strings are passed through."""
    if isinstance(moment, str):
        return moment
    if moment.tzinfo is None:
        raise ValueError("min_start_time must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _path_of(uri: str) -> str:
    """The path of a Calendly resource URI; requests always go to the configured base URL."""
    return urlsplit(uri).path or "/"


def _uuid_of(uri: str) -> str:
    return uri.rstrip("/").rpartition("/")[2]


def _scope_variable(uri: str) -> str:
    return "CALENDLY_ORGANIZATION_URI" if "/organizations/" in uri else "CALENDLY_USER_URI"


class CalendlyClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        recorder: CallRecorder,
        http: httpx.AsyncClient | None = None,
        *,
        cause: Mapping[str, str] | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._recorder = recorder
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=REQUEST_TIMEOUT)
        self._cause = dict(cause or {})
        self._sleep: Sleep = sleep or asyncio.sleep
        self._resume_at = 0.0  # monotonic time before which the rate budget is spent
        self._backoff = wait_exponential_jitter(multiplier=0.5, max=8.0)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> CalendlyClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- public API ------------------------------------------------------------------------

    async def current_user(self) -> dict[str, Any]:
        """`GET /users/me`; its `current_organization` scopes syncs and subscriptions."""
        response = await self._request("GET", "/users/me", _Context())
        resource: dict[str, Any] = response.json()["resource"]
        return resource

    async def iter_scheduled_events(
        self,
        scope_uri: str,
        min_start_time: datetime | str | None = None,
        status: str | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every scheduled event of an organization or user URI, by start time, all pages."""
        scope_parameter = "organization" if "/organizations/" in scope_uri else "user"
        params = {scope_parameter: scope_uri, "sort": "start_time:asc"}
        if min_start_time is not None:
            params["min_start_time"] = calendly_time(min_start_time)
        if status is not None:
            params["status"] = status
        context = _Context(scope_uris={scope_parameter: scope_uri})
        async for event in self._paginate("/scheduled_events", params, context):
            yield event

    async def iter_invitees(self, event_uri: str) -> AsyncIterator[dict[str, Any]]:
        """Every invitee (active and canceled) of one scheduled event, all pages."""
        path = f"/scheduled_events/{_uuid_of(event_uri)}/invitees"
        async for invitee in self._paginate(path, {}, _Context()):
            yield invitee

    async def list_webhook_subscriptions(
        self, organization: str, *, scope: str = "organization", user: str | None = None
    ) -> list[dict[str, Any]]:
        params = {"organization": organization, "scope": scope}
        scope_uris = {"organization": organization}
        if user is not None:
            params["user"] = user
            scope_uris["user"] = user
        context = _Context(scope_uris=scope_uris, webhooks=True)
        return [sub async for sub in self._paginate("/webhook_subscriptions", params, context)]

    async def create_webhook_subscription(
        self,
        url: str,
        events: list[str],
        *,
        organization: str,
        user: str | None = None,
        scope: str = "organization",
        signing_key: str,
    ) -> dict[str, Any]:
        """Create a subscription; Calendly never returns `signing_key`, so keep the one sent."""
        body: dict[str, Any] = {
            "url": url,
            "events": events,
            "organization": organization,
            "scope": scope,
            "signing_key": signing_key,
        }
        scope_uris = {"organization": organization}
        if user is not None:
            body["user"] = user
            scope_uris["user"] = user
        context = _Context(scope_uris=scope_uris, webhooks=True)
        response = await self._request("POST", "/webhook_subscriptions", context, json=body)
        resource: dict[str, Any] = response.json()["resource"]
        return resource

    async def delete_webhook_subscription(self, uri: str) -> bool:
        """Delete by URI; False when it was already gone, so repairs can be repeated."""
        path = f"/webhook_subscriptions/{_uuid_of(uri)}"
        try:
            await self._request("DELETE", path, _Context(webhooks=True))
        except CalendlyNotFound:
            return False
        return True

    async def get_invitee(self, invitee_uri: str) -> dict[str, Any]:
        """`GET` the invitee by its URI (on our base URL); `no_show` is its mark or null."""
        response = await self._request("GET", _path_of(invitee_uri), _Context())
        resource: dict[str, Any] = response.json()["resource"]
        return resource

    async def create_no_show(self, invitee_uri: str) -> dict[str, Any]:
        """`POST /invitee_no_shows` `{"invitee": uri}` → the no-show (`uri`, `invitee`)."""
        body = {"invitee": invitee_uri}
        response = await self._request("POST", "/invitee_no_shows", _Context(), json=body)
        resource: dict[str, Any] = response.json()["resource"]
        return resource

    async def delete_no_show(self, no_show_uri: str) -> bool:
        """`DELETE /invitee_no_shows/{no-show uuid}`; False when it was already gone."""
        try:
            await self._request("DELETE", f"/invitee_no_shows/{_uuid_of(no_show_uri)}", _Context())
        except CalendlyNotFound:
            return False
        return True

    # -- machinery -------------------------------------------------------------------------

    async def _paginate(
        self, path: str, params: Mapping[str, str], context: _Context
    ) -> AsyncIterator[dict[str, Any]]:
        page_params = {**params, "count": str(PAGE_SIZE)}
        while True:
            page = (await self._request("GET", path, context, params=page_params)).json()
            for item in page["collection"]:
                yield item
            next_token = page["pagination"].get("next_page_token")
            if not next_token:
                return
            page_params = {**page_params, "page_token": next_token}

    async def _request(
        self,
        method: str,
        path: str,
        context: _Context,
        *,
        params: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(MAX_ATTEMPTS),
            wait=self._wait_before_retry,
            retry=retry_if_exception(lambda exc: isinstance(exc, CalendlyError) and exc.retryable),
            sleep=self._sleep,
            reraise=True,
        )
        return await retrying(self._attempt, method, path, context, params, json)

    def _wait_before_retry(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, CalendlyRateLimited):
            return failure.wait_s
        return float(self._backoff(state))

    async def _attempt(
        self,
        method: str,
        path: str,
        context: _Context,
        params: Mapping[str, str] | None,
        json: Mapping[str, Any] | None,
    ) -> httpx.Response:
        await self._wait_for_rate_budget()
        started = time.perf_counter()
        try:
            response = await self._http.request(
                method, self._base_url + path, params=params, json=json, headers=self._headers
            )
        except httpx.TransportError as exc:
            await self._record(method, path, started, error=type(exc).__name__)
            never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            raise CalendlyUnavailable(
                f"Calendly did not answer {method} {path} ({type(exc).__name__}); "
                f"check CALENDLY_API_BASE_URL ({self._base_url}) and the network",
                retryable=method != "POST" or never_sent,
            ) from exc
        answer = None if response.is_success else VendorAnswer.of(response)
        await self._record(method, path, started, response.status_code, answer=answer)
        self._note_rate_budget(response)
        if answer is None:
            return response
        raise _error_for(f"{method} {path}", answer, context)

    async def _wait_for_rate_budget(self) -> None:
        remaining_wait = self._resume_at - time.monotonic()
        if remaining_wait > 0:
            await self._sleep(remaining_wait)

    def _note_rate_budget(self, response: httpx.Response) -> None:
        if response.headers.get("X-RateLimit-Remaining") == "0" and response.status_code != 429:
            reset = header_seconds(response, "X-RateLimit-Reset") or DEFAULT_RATE_WAIT_S
            self._resume_at = time.monotonic() + min(reset, MAX_RATE_WAIT_S)

    async def _record(
        self,
        method: str,
        path: str,
        started: float,
        status: int | None = None,
        *,
        answer: VendorAnswer | None = None,
        error: str | None = None,
    ) -> None:
        await self._recorder.record(
            VendorCall(
                system="calendly",
                method=method,
                path=path,
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                vendor_code=answer.title if answer else None,
                vendor_message=answer.message if answer else None,
                error=error,
                cause=dict(self._cause),
            )
        )


def _error_for(call: str, answer: VendorAnswer, context: _Context) -> CalendlyError:
    """Turn Calendly's answer into the error whose message names what to fix."""
    status, said = answer.status, answer.said()
    if status == 401:
        return CalendlyAuthError(
            "Calendly rejected the API token (CALENDLY_API_TOKEN): it is missing, revoked "
            "or expired; create a new personal access token",
            answer,
        )
    if status == 404 and context.scope_uris:
        scope_uris = context.scope_uris
        uri = scope_uris.get(answer.parameter or "") or next(iter(scope_uris.values()))
        return CalendlyScopeNotFound(
            f"Calendly does not know {uri}; set {_scope_variable(uri)} to a URI from "
            "GET /users/me (or unset it to discover it)",
            answer,
        )
    if status == 404:
        return CalendlyNotFound(f"Calendly has nothing at {call}; {said}", answer)
    if status == 403 and context.webhooks:
        return CalendlyPlanRequired(
            "Calendly refused to manage webhook subscriptions: they need a paid plan on "
            "older accounts (Standard or higher), and organization-scope subscriptions need "
            "a token of an organization owner or admin; upgrade the plan or use a token "
            f"with those rights. {said}",
            answer,
        )
    if status == 403:
        return CalendlyPermissionDenied(
            f"Calendly denied {call}: organization-wide reads need a token of an "
            f"organization owner or admin. {said}",
            answer,
        )
    if status == 409:
        return CalendlyConflict(
            f"Calendly refused {call} as a duplicate: a webhook subscription for this "
            f"callback URL already exists; delete it before creating it again. {said}",
            answer,
        )
    if status == 400:
        blamed = f" (parameter {answer.parameter})" if answer.parameter else ""
        return CalendlyInvalidRequest(
            f"Calendly rejected the parameters of {call}{blamed}. {said}", answer
        )
    if status == 429:
        return CalendlyRateLimited(
            f"Calendly's rate limit is still exceeded after {MAX_ATTEMPTS} attempts of {call}; "
            "another client may share this token's per-user budget",
            answer,
            wait_s=min(answer.wait_s or DEFAULT_RATE_WAIT_S, MAX_RATE_WAIT_S),
        )
    if status >= 500:
        return CalendlyUnavailable(
            f"Calendly failed {call} with {status}; a persistent failure is on Calendly's "
            f"side. {said}",
            answer,
            retryable=not call.startswith("POST"),
        )
    return CalendlyError(f"Calendly answered {call} with {status}. {said}", answer)
