"""Calendly's error bodies (facts §6): `{"title", "message", "details"?}` per HTTP status."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

TITLES = {
    400: ("Invalid Argument", "The supplied parameters are invalid."),
    401: ("Unauthenticated", "The access token is invalid"),
    403: ("Permission Denied", "You do not have permission to access this resource."),
    404: ("Resource Not Found", "The server could not find the requested resource."),
    409: ("Already Exists", "The resource already exists"),
    429: ("Too Many Requests", "You have exceeded the rate limit. Please retry later."),
    500: (
        "Internal Server Error",
        "The server encountered an unexpected condition that prevented it from fulfilling "
        "the request.",
    ),
    502: ("Bad Gateway", "The server received an invalid response from an upstream server."),
    503: ("Service Unavailable", "The server is temporarily unable to handle the request."),
}


class CalendlyApiError(Exception):
    """Raised by REST handlers; answered with Calendly's error body for `status`."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        details: list[dict[str, str]] | None = None,
    ) -> None:
        self.status = status
        self.title, default_message = TITLES.get(status, ("Error", "The request failed."))
        self.message = message or default_message
        self.details = details
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"title": self.title, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class InvalidArgument(CalendlyApiError):
    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(
            400, details=[{"parameter": parameter, "message": f"{parameter} {problem}"}]
        )


class NotFound(CalendlyApiError):
    def __init__(self, parameter: str | None = None) -> None:
        details = [{"parameter": parameter, "message": "not found"}] if parameter else None
        super().__init__(404, details=details)


def error_response(status: int, body: dict[str, Any] | None = None) -> JSONResponse:
    """Calendly's canonical body for `status`, unless a fault supplies its own."""
    return JSONResponse(body if body is not None else CalendlyApiError(status).body(), status)
