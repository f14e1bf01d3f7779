"""The one error envelope of CONTRACT §5: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.logs import get_logger
from service.services.errors import Conflict, Invalid, NotFound, ServiceError, Unavailable

log = get_logger(__name__)

_CODES = {
    400: "malformed",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "timeout",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    500: "internal",
    503: "unavailable",
}


class ApiError(Exception):
    def __init__(
        self, status: int, message: str, details: list[Any] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.details = details or []


# A use case's refusal answers like the API's own (CONTRACT §5 statuses).
SERVICE_STATUS: dict[type[ServiceError], int] = {
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
    Unavailable: 503,
}

REFUSALS = (ApiError, ServiceError)


def status_of(error: ApiError | ServiceError) -> int:
    if isinstance(error, ApiError):
        return error.status
    return SERVICE_STATUS.get(type(error), 500)


def error_response(
    status: int, message: str, details: list[Any] | None = None, code: str | None = None
) -> JSONResponse:
    body = {
        "error": {
            "code": code or _CODES.get(status, "error"),
            "message": message,
            "details": details or [],
        }
    }
    return JSONResponse(body, status_code=status)


async def handle_api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    response = error_response(exc.status, exc.message, exc.details, exc.code)
    if exc.status == 408:  # the rest of the body is never read: the connection must go
        response.headers["connection"] = "close"
    return response


async def handle_service_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    return error_response(status_of(exc), exc.message, exc.details)


async def handle_http_exception(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, exc.detail or "error")


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", path=request.url.path)
    return error_response(500, "internal error; the request id is in the logs")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ApiError: handle_api_error,
    ServiceError: handle_service_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
