"""POST /webhooks/booking: the booking system's events, Standard Webhooks signed (§3.2)."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.domain.booking_events import InvalidEvent, UnknownEventType, parse_booking_event
from service.http.errors import ApiError
from service.http.inbox_writer import NewEvent
from service.http.runtime import runtime
from service.webhooks.body import read_limited_body, received_json
from service.webhooks.responses import stored_response
from service.webhooks.signatures import verify_standard_webhook


async def receive_booking(request: Request) -> JSONResponse:
    rt = runtime(request)
    body = await read_limited_body(request)
    headers = request.headers
    webhook_id = headers.get("webhook-id")
    if not verify_standard_webhook(
        webhook_id,
        headers.get("webhook-timestamp"),
        headers.get("webhook-signature"),
        body,
        secrets=tuple(s.get_secret_value() for s in rt.settings.booking_webhook_secrets),
        now=time.time(),
    ):
        raise ApiError(401, "missing, malformed, wrong or stale webhook signature")
    assert webhook_id is not None
    document = received_json(body)
    try:
        event = parse_booking_event(document.value)
    except UnknownEventType as error:
        raise ApiError(
            422,
            f"unknown event type {error.type!r}",
            [{"field": "type", "problem": "not an event type this service handles"}],
        ) from None
    except InvalidEvent as error:
        details = [{"field": p.location, "problem": p.message} for p in error.problems]
        raise ApiError(422, "invalid event", details) from None
    stored = NewEvent(
        source="booking", event_type=event.type, dedupe_key=webhook_id, body=document.text, raw=body
    )
    return await stored_response(rt, stored)
