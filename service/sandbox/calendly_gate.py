"""What stands in front of every sandbox REST call, in Calendly's order of failure:
injected faults, bearer-token auth, the per-user rate limit (facts §6), and the request log
tests count calls with. Control endpoints under `/_sandbox` bypass all of it."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.sandbox.calendly_errors import CalendlyApiError, error_response
from service.sandbox.calendly_payloads import iso


@dataclass
class Fault:
    """The next `remaining` requests matching method, path and query answer `status`."""

    method: str  # "*" matches any
    path_pattern: re.Pattern[str]
    query_pattern: re.Pattern[str]  # searched in the raw query string, e.g. "page_token="
    status: int
    remaining: int
    reset_s: int
    retry_after_s: int | None
    body: dict[str, Any] | None

    def matches(self, method: str, path: str, query: str) -> bool:
        return (
            self.method in ("*", method)
            and self.path_pattern.search(path) is not None
            and self.query_pattern.search(query) is not None
        )

    def describe(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path_pattern.pattern,
            "query": self.query_pattern.pattern,
            "status": self.status,
            "remaining": self.remaining,
        }


@dataclass
class RateWindow:
    started: float
    used: int = 0


@dataclass(frozen=True)
class RateHeaders:
    limit: int
    remaining: int
    reset_s: int

    def apply(self, response: Response) -> None:
        response.headers["X-RateLimit-Limit"] = str(self.limit)
        response.headers["X-RateLimit-Remaining"] = str(self.remaining)
        response.headers["X-RateLimit-Reset"] = str(self.reset_s)


@dataclass
class Gate:
    token: str
    rate_limit: int
    rate_window_s: float
    clock: Callable[[], float] = time.monotonic
    extra_tokens: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)
    windows: dict[str, RateWindow] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)

    def add_fault(self, fault: Fault) -> None:
        self.faults.append(fault)

    def _take_fault(self, method: str, path: str, query: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, path, query):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _authenticate(self, request: Request) -> str:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        valid = token in ({self.token} | self.extra_tokens) and token not in self.revoked
        if scheme.lower() != "bearer" or not valid:
            raise CalendlyApiError(401)
        return token

    def _spend(self, token: str) -> RateHeaders:
        now = self.clock()
        window = self.windows.get(token)
        if window is None or now - window.started >= self.rate_window_s:
            window = self.windows[token] = RateWindow(started=now)
        # Clamped: float rounding can make a fresh window's remainder 60.000…01 → 61.
        remaining_s = window.started + self.rate_window_s - now
        reset_s = min(math.ceil(self.rate_window_s), max(1, math.ceil(remaining_s)))
        if window.used >= self.rate_limit:
            raise RateLimited(RateHeaders(self.rate_limit, 0, reset_s))
        window.used += 1
        return RateHeaders(self.rate_limit, self.rate_limit - window.used, reset_s)

    def _fault_response(self, fault: Fault) -> Response:
        response = error_response(fault.status, fault.body)
        if fault.status == 429:
            RateHeaders(self.rate_limit, 0, fault.reset_s).apply(response)
            if fault.retry_after_s is not None:
                response.headers["Retry-After"] = str(fault.retry_after_s)
        return response

    async def handle(self, request: Request, call: Callable[[], Awaitable[Response]]) -> Response:
        """Answer one REST request: fault, 401, 429, or the handler's response + rate headers."""
        fault = self._take_fault(request.method, request.url.path, request.url.query)
        if fault is not None:
            response = self._fault_response(fault)
        else:
            try:
                rate = self._spend(self._authenticate(request))
                try:
                    response = await call()
                except CalendlyApiError as exc:
                    response = error_response(exc.status, exc.body())
                rate.apply(response)
            except RateLimited as limited:
                response = error_response(429)
                limited.headers.apply(response)
            except CalendlyApiError as exc:
                response = error_response(exc.status, exc.body())
        self.log.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": dict(request.query_params),
                "status": response.status_code,
                "at": iso(datetime.now(UTC)),
            }
        )
        return response


class RateLimited(Exception):
    def __init__(self, headers: RateHeaders) -> None:
        super().__init__("rate limit exceeded")
        self.headers = headers
