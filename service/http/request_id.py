"""Tag each request with an id (the caller's X-Request-ID if sane) in logs and the response."""

from __future__ import annotations

import os
import re

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SANE = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")
HEADER = b"x-request-id"


def bind_request_id(scope: Scope) -> bytes:
    """The request's id, bound to every log line of the request: the caller's if sane, else new."""
    given = next((value for name, value in scope["headers"] if name == HEADER), b"")
    request_id = given if _SANE.match(given) else os.urandom(16).hex().encode()
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id.decode())
    return request_id


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = bind_request_id(scope)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((HEADER, request_id))
            await send(message)

        await self.app(scope, receive, send_with_id)
