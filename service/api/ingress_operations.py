"""What /openapi.json says of the ingress webhooks (CONTRACT §3).

`service/webhooks/endpoints.py` answers these paths before the router (the hot path,
docs/benchmarks.md), so they are not in the route table; the document adds them from here.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.api.models.requests import Webhook
from service.api.models.resources import Open
from service.api.operation import WEBHOOKS, Answer, Operation, ok

SIGNED = (400, 401, 413)


def _ingress(source: str, answers: dict[int, Answer], errors: tuple[int, ...]) -> Operation:
    return Operation(
        f"Ingress: {source} events (signed; CONTRACT §3)",
        WEBHOOKS,
        answers,
        errors=errors,
        body=Webhook,
        public=True,
    )


_STORED = {**ok(Open, "New", 202), **ok(Open, "Duplicate")}
CALENDLY = _ingress("calendly", _STORED, SIGNED)
BOOKING = _ingress("booking", _STORED, (*SIGNED, 422))
# Zoom counts only 200/204 as delivered.
ZOOM = _ingress(
    "zoom", ok(Open, "Stored, duplicate or ignored; or the URL-validation answer"), SIGNED
)

POSTS: Mapping[str, Operation] = {
    "/webhooks/calendly": CALENDLY,
    "/webhooks/booking": BOOKING,
    "/webhooks/zoom": ZOOM,
}
