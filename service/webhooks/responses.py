"""The answers every ingress gives once an event is stored (CONTRACT §3)."""

from __future__ import annotations

from starlette.responses import JSONResponse

from service.http.inbox_writer import NewEvent
from service.http.registry import INGRESS_EVENTS
from service.http.runtime import ApiRuntime


async def stored_response(rt: ApiRuntime, event: NewEvent) -> JSONResponse:
    stored = await rt.inbox.store(event)
    if stored.duplicate:
        status, code = "duplicate", 200
    elif event.handled:
        status, code = "accepted", 202
    else:
        status, code = "ignored", 202
    INGRESS_EVENTS.labels(source=event.source, outcome=status).inc()
    return JSONResponse({"status": status, "id": str(stored.id)}, status_code=code)
