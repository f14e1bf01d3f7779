"""The webhook routes as a lean ASGI path: no router, no Request / Response objects per delivery.

Ingress is the hot path (docs/benchmarks.md): this outermost middleware answers a delivery
itself, with request id, body deadline and metrics done inline; the generic middlewares, the
admin and UI ones, Starlette's router and its exception middleware never see it. Refusals
keep the error envelope of CONTRACT §5.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping

import orjson
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.http.body_deadline import body_too_slow
from service.http.errors import ApiError, error_response, handle_api_error, handle_unexpected
from service.http.ingress_metrics import record_ingress
from service.http.request_id import HEADER as REQUEST_ID
from service.http.request_id import bind_request_id
from service.http.runtime import runtime_of
from service.webhooks.body import Disconnected, read_limited_body
from service.webhooks.booking import receive_booking
from service.webhooks.calendly import receive_calendly
from service.webhooks.responses import Receiver
from service.webhooks.zoom import receive_zoom

RECEIVERS: Mapping[str, Receiver] = {
    "/webhooks/calendly": receive_calendly,
    "/webhooks/booking": receive_booking,
    "/webhooks/zoom": receive_zoom,
}
_JSON = (b"content-type", b"application/json")


class WebhookEndpoints:
    """Outermost middleware: answers the webhook routes, tagging, timing and counting them itself.

    What the request-id, body-deadline and ingress-metrics middlewares do for every other route
    is done here inline (one timer per body, no wrapped `send`/`receive` per request): together
    they were ~8 % of the CPU per delivery (docs/benchmarks.md).
    """

    def __init__(self, app: ASGIApp, body_seconds: float) -> None:
        self.app = app
        self.body_seconds = body_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        receiver = RECEIVERS.get(scope["path"]) if scope["type"] == "http" else None
        if receiver is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = bind_request_id(scope)
        status = 500  # the sender left before an answer (as the metrics middleware counts it)
        try:
            status = await self._answer(receiver, scope, receive, send, request_id)
        finally:
            source = scope["path"].removeprefix("/webhooks/")
            record_ingress(source, status, time.perf_counter() - started)

    async def _answer(
        self, receiver: Receiver, scope: Scope, receive: Receive, send: Send, request_id: bytes
    ) -> int:
        if scope["method"] != "POST":
            refusal = error_response(405, "Method Not Allowed")
            return await _send(refusal, request_id, scope, receive, send)
        headers = Headers(scope=scope)
        try:
            try:
                async with asyncio.timeout(self.body_seconds):
                    body = await read_limited_body(headers, receive)
            except TimeoutError:
                raise body_too_slow(self.body_seconds) from None
            answer = await receiver(runtime_of(scope), headers, body)
        except Disconnected:
            return 500
        except ApiError as error:
            response = await handle_api_error(Request(scope), error)
            return await _send(response, request_id, scope, receive, send)
        except Exception as error:
            response = await handle_unexpected(Request(scope), error)
            return await _send(response, request_id, scope, receive, send)
        content = orjson.dumps(answer.body)
        length = (b"content-length", b"%d" % len(content))
        headers_out = [_JSON, length, (REQUEST_ID, request_id)]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers_out})
        await send({"type": "http.response.body", "body": content})
        return answer.status


async def _send(
    response: Response, request_id: bytes, scope: Scope, receive: Receive, send: Send
) -> int:
    """A refusal, with the request id; its status for the metrics."""
    response.raw_headers.append((REQUEST_ID, request_id))
    await response(scope, receive, send)
    return response.status_code
