"""POST /webhooks/calendly (CONTRACT §3.1)."""

from __future__ import annotations

import time

from starlette.datastructures import Headers

from service.adapters.inbox_ingest import Received
from service.domain.calendly import MalformedWebhook, dedupe_key, parse_webhook
from service.http.errors import ApiError
from service.http.runtime import ApiRuntime
from service.webhooks.body import received_json
from service.webhooks.responses import Answer, stored_answer
from service.webhooks.signatures import verify_calendly


async def receive_calendly(rt: ApiRuntime, headers: Headers, body: bytes) -> Answer:
    signature = headers.get("calendly-webhook-signature")
    keys = tuple(k.get_secret_value() for k in rt.settings.calendly_webhook_signing_keys)
    if not verify_calendly(signature, body, keys, time.time()):
        raise ApiError(401, "missing, malformed, wrong or stale Calendly-Webhook-Signature")
    document = received_json(body)
    try:
        webhook = parse_webhook(document.value)
    except MalformedWebhook as error:
        raise ApiError(400, error.reason) from None
    event = Received(
        source="calendly",
        event_type=webhook.event,
        dedupe_key=dedupe_key(webhook),
        body=document.text,
        raw=body,
        handled=webhook.handled,
    )
    return await stored_answer(rt, event)
