"""POST /webhooks/zoom (CONTRACT §3.3): Zoom's URL validation and signed event deliveries.

- The signature (`x-zm-signature: v0=<hex HMAC-SHA256(secret, "v0:{ts}:{body}")>`) is checked
  on the raw bytes first; a missing, wrong or stale (> 300 s) one is a 401. Zoom signs its
  `endpoint.url_validation` challenge too, so the challenge is answered only when signed.
- Events are stored in the inbox (source `zoom`), deduplicated on event + object id + event_ts:
  Zoom retries a delivery it got no 2xx for, with the same event_ts.
- Zoom wants 200 (or 204) within 3 s, so a stored event is answered 200 — the body still says
  accepted, duplicate or ignored like every other ingress.
"""

from __future__ import annotations

import time

from starlette.datastructures import Headers

from service.adapters.inbox_ingest import Received
from service.domain.numbers import ascii_int
from service.domain.zoom_webhooks import ATTENDANCE_EVENTS, HANDLED_EVENTS, dedupe_key
from service.http.errors import ApiError
from service.http.runtime import ApiRuntime
from service.logs import get_logger
from service.webhooks.body import received_json
from service.webhooks.responses import Answer, stored_answer
from service.webhooks.signatures import verify_zoom, zoom_challenge_response

ZOOM_TOLERANCE_S = 300
URL_VALIDATION = "endpoint.url_validation"
log = get_logger(__name__)


def _fresh(timestamp: str | None, now: float) -> bool:
    """Zoom sends seconds; milliseconds are accepted too rather than rejected as "stale"."""
    seconds = ascii_int(timestamp)
    if seconds is None:
        return False
    if seconds > 10**11:
        seconds //= 1000
    return abs(now - seconds) <= ZOOM_TOLERANCE_S


async def receive_zoom(rt: ApiRuntime, headers: Headers, body: bytes) -> Answer:
    configured = rt.settings.zoom_webhook_secret_token
    secret = configured.get_secret_value() if configured is not None else None
    timestamp = headers.get("x-zm-request-timestamp")
    signature = headers.get("x-zm-signature")
    if secret is None:
        log.warning("Zoom webhook refused: ZOOM_WEBHOOK_SECRET_TOKEN is not set")
    if (
        secret is None
        or not _fresh(timestamp, time.time())
        or not verify_zoom(timestamp, signature, body, secret)
    ):
        raise ApiError(401, "missing, wrong or stale x-zm-signature")
    parsed = received_json(body)
    document = parsed.value
    if not isinstance(document, dict) or not isinstance(document.get("event"), str):
        raise ApiError(400, "body is not a Zoom event: event is missing")
    if not isinstance(document.get("payload"), dict):
        raise ApiError(400, "payload is missing or not an object")
    event = document["event"]
    if event == URL_VALIDATION:
        plain = document["payload"].get("plainToken")
        if not isinstance(plain, str) or not plain:
            raise ApiError(400, "endpoint.url_validation without payload.plainToken")
        assert secret is not None
        encrypted = zoom_challenge_response(plain, secret)
        return Answer(200, {"plainToken": plain, "encryptedToken": encrypted})
    stored = await stored_answer(
        rt,
        Received(
            source="zoom",
            event_type=event,
            dedupe_key=dedupe_key(document),
            body=parsed.text,
            raw=body,
            handled=event in HANDLED_EVENTS or event in ATTENDANCE_EVENTS,
        ),
    )
    return Answer(200, stored.body)  # Zoom counts only 200/204 as delivered
