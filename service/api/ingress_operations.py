"""What /openapi.json says of the ingress webhooks (CONTRACT §3); `service/webhooks` serves them."""

from __future__ import annotations

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
