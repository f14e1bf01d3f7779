"""What Calendly answered (`VendorAnswer`) and the `CalendlyError` classes it becomes."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class VendorAnswer:
    """What Calendly answered: status, its error `title`/`message`, the parameter it blamed."""

    status: int
    title: str | None = None
    message: str | None = None
    parameter: str | None = None
    wait_s: float | None = None  # from Retry-After or X-RateLimit-Reset, on 429

    @classmethod
    def of(cls, response: httpx.Response) -> VendorAnswer:
        wait_s = header_seconds(response, "Retry-After") or header_seconds(
            response, "X-RateLimit-Reset"
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return cls(response.status_code, wait_s=wait_s)
        details = body.get("details")
        parameter = None
        if isinstance(details, list) and details and isinstance(details[0], dict):
            parameter = details[0].get("parameter")
        return cls(response.status_code, body.get("title"), body.get("message"), parameter, wait_s)

    def said(self) -> str:
        return f"Calendly said: {self.title or self.status}: {self.message or 'no message'}"


class CalendlyError(Exception):
    """A Calendly call failed; `str(exc)` says what to fix, `answer` is what Calendly said."""

    retryable = False

    def __init__(self, message: str, answer: VendorAnswer | None = None) -> None:
        super().__init__(message)
        self.answer = answer

    @property
    def status(self) -> int | None:
        return self.answer.status if self.answer else None


class CalendlyAuthError(CalendlyError):
    """401: the token is missing, revoked or expired."""


class CalendlyScopeNotFound(CalendlyError):
    """404 on the organization or user URI a sync or subscription is scoped to."""


class CalendlyNotFound(CalendlyError):
    """404 on anything else (an event, an invitee, a subscription)."""


class CalendlyPermissionDenied(CalendlyError):
    """403: the token's user may not do this."""


class CalendlyPlanRequired(CalendlyPermissionDenied):
    """403 on webhook subscriptions: plan or role does not allow them."""


class CalendlyConflict(CalendlyError):
    """409: e.g. a webhook subscription for this callback URL already exists."""


class CalendlyInvalidRequest(CalendlyError):
    """400: Calendly rejected our parameters."""


class CalendlyRateLimited(CalendlyError):
    """429; retried after `wait_s` until attempts run out."""

    retryable = True

    def __init__(self, message: str, answer: VendorAnswer, *, wait_s: float) -> None:
        super().__init__(message, answer)
        self.wait_s = wait_s


class CalendlyUnavailable(CalendlyError):
    """5xx or no response at all; retried with backoff when repeating the call is safe."""

    def __init__(
        self, message: str, answer: VendorAnswer | None = None, *, retryable: bool
    ) -> None:
        super().__init__(message, answer)
        self.retryable = retryable


def header_seconds(response: httpx.Response, name: str) -> float | None:
    try:
        return float(response.headers[name])
    except (KeyError, ValueError):
        return None
