"""The webhook routes as a lean ASGI path: no router, no Request / Response objects per delivery.

Ingress is the hot path (docs/benchmarks.md): a delivery passes the request-id, body-deadline and
metrics middlewares, then this one answers it; the admin and UI middlewares, Starlette's router
and its exception middleware never see it. Refusals keep the error envelope of CONTRACT §5.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from service.http.errors import ApiError, error_response, handle_api_error, handle_unexpected
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
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        receiver = RECEIVERS.get(scope["path"]) if scope["type"] == "http" else None
        if receiver is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] != "POST":
            await error_response(405, "Method Not Allowed")(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            body = await read_limited_body(headers, receive)
            answer = await receiver(runtime_of(scope), headers, body)
        except Disconnected:
            return
        except ApiError as error:
            await (await handle_api_error(Request(scope), error))(scope, receive, send)
            return
        except Exception as error:
            await (await handle_unexpected(Request(scope), error))(scope, receive, send)
            return
        content = orjson.dumps(answer.body)
        length = (b"content-length", b"%d" % len(content))
        start = {"type": "http.response.start", "status": answer.status, "headers": [_JSON, length]}
        await send(start)
        await send({"type": "http.response.body", "body": content})
