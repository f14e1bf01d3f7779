"""A deadline for reading a request body: a client trickling one gets 408, not a held connection.

The clock starts with the request; each wait for the next body chunk may last only what is
left of REQUEST_BODY_TIMEOUT_SECONDS. The 408 closes the connection (the rest of the body
is never read), so a slow sender frees its slot within the deadline.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http.errors import ApiError


class BodyDeadlineMiddleware:
    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = time.monotonic() + self.seconds
        body_done = False

        async def receive_before_deadline() -> Message:
            nonlocal body_done
            if body_done:
                return await receive()
            try:
                async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                    message = await receive()
            except TimeoutError:
                raise body_too_slow(self.seconds) from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        await self.app(scope, receive_before_deadline, send)


def body_too_slow(seconds: float) -> ApiError:
    return ApiError(408, f"the request body took longer than {seconds:g} s to arrive")
