"""POST /webhooks/booking: the booking system's events, Standard Webhooks signed (§3.2)."""

from __future__ import annotations

import time

from starlette.datastructures import Headers

from service.adapters.inbox_ingest import Received
from service.domain.booking_events import InvalidEvent, UnknownEventType, parse_booking_event
from service.http.errors import ApiError
from service.http.runtime import ApiRuntime
from service.webhooks.body import received_json
from service.webhooks.responses import Answer, stored_answer
from service.webhooks.signatures import verify_standard_webhook


async def receive_booking(rt: ApiRuntime, headers: Headers, body: bytes) -> Answer:
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
    stored = Received(
        source="booking", event_type=event.type, dedupe_key=webhook_id, body=document.text, raw=body
    )
    return await stored_answer(rt, stored)
