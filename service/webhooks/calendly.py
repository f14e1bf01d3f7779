"""POST /webhooks/calendly (CONTRACT §3.1)."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.domain.calendly import MalformedWebhook, dedupe_key, parse_webhook
from service.http.errors import ApiError
from service.http.inbox_writer import NewEvent
from service.http.runtime import runtime
from service.webhooks.body import read_limited_body, received_json
from service.webhooks.responses import stored_response
from service.webhooks.signatures import verify_calendly


async def receive_calendly(request: Request) -> JSONResponse:
    rt = runtime(request)
    body = await read_limited_body(request)
    signature = request.headers.get("calendly-webhook-signature")
    keys = tuple(k.get_secret_value() for k in rt.settings.calendly_webhook_signing_keys)
    if not verify_calendly(signature, body, keys, time.time()):
        raise ApiError(401, "missing, malformed, wrong or stale Calendly-Webhook-Signature")
    document = received_json(body)
    try:
        webhook = parse_webhook(document.value)
    except MalformedWebhook as error:
        raise ApiError(400, error.reason) from None
    event = NewEvent(
        source="calendly",
        event_type=webhook.event,
        dedupe_key=dedupe_key(webhook),
        body=document.text,
        raw=body,
        handled=webhook.handled,
    )
    return await stored_response(rt, event)
