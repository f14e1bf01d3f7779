"""The answers every ingress gives once an event is stored (CONTRACT §3)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.datastructures import Headers

from service.adapters.inbox_ingest import Received
from service.http.registry import INGRESS_EVENTS
from service.http.runtime import ApiRuntime


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, str]


# A webhook endpoint: the runtime, the request's headers and its raw body in, an answer out;
# a refusal is an ApiError (service/webhooks/endpoints.py turns both into the response).
Receiver = Callable[[ApiRuntime, Headers, bytes], Awaitable[Answer]]


async def stored_answer(rt: ApiRuntime, event: Received) -> Answer:
    stored = await rt.inbox.store(event)
    if stored.duplicate:
        status, code = "duplicate", 200
    elif event.handled:
        status, code = "accepted", 202
    else:
        status, code = "ignored", 202
    INGRESS_EVENTS.labels(source=event.source, outcome=status).inc()
    return Answer(code, {"status": status, "id": str(stored.id)})
