"""What happens around every Zoom endpoint: injected faults, the lock, and the request log.

An endpoint supplies ``process``, which computes the real answer under the lock. The pipeline
decides whether a fault replaces that answer (before the effect), follows it (after the effect),
or only delays it, and logs what the client was finally sent.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.sandbox.zoom_errors import ZoomError
from service.sandbox.zoom_faults import Fault
from service.sandbox.zoom_runtime import LoggedRequest, ZoomSandbox


@dataclass(frozen=True)
class Outcome:
    """An answer before it becomes an HTTP response; ``body`` None means no content."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_error(cls, error: ZoomError) -> Outcome:
        return cls(error.status, error.body(), dict(error.headers))

    @property
    def zoom_code(self) -> int | None:
        code = self.body.get("code") if isinstance(self.body, dict) else None
        return code if isinstance(code, int) else None


#: Computes the real answer; called with the raw body while the sandbox lock is held.
Process = Callable[[ZoomSandbox, Request, bytes], Outcome]


async def serve_zoom_request(
    request: Request, operation: str, category: str | None, process: Process
) -> Response:
    sandbox: ZoomSandbox = request.app.state.sandbox
    raw = await request.body()
    async with sandbox.lock:
        fault = sandbox.faults.take(request.method, request.url.path)
    outcome: Outcome | None = None
    if fault is not None and not fault.after_effect:
        await asyncio.sleep(fault.delay_seconds)
        outcome = _injected(fault)
    if outcome is None:
        async with sandbox.lock:
            outcome = process(sandbox, request, raw)
        if fault is not None and fault.after_effect:
            await asyncio.sleep(fault.delay_seconds)
            outcome = _injected(fault) or outcome
    async with sandbox.lock:
        entry = LoggedRequest(
            time=sandbox.now(),
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            operation=operation,
            category=category,
            status=outcome.status,
            code=outcome.zoom_code,
            body=_decoded(raw),
            response=outcome.body,
            fault_id=fault.id if fault is not None else None,
        )
        sandbox.record(entry, outcome.headers.get("X-RateLimit-Type"))
    return _response(outcome)


def _injected(fault: Fault) -> Outcome | None:
    if fault.status is None:
        return None
    return Outcome(fault.status, fault.body, dict(fault.headers))


def _response(outcome: Outcome) -> Response:
    headers = {**outcome.headers, "x-zm-trackingid": f"sandbox_{secrets.token_hex(12)}"}
    if outcome.body is None:
        return Response(status_code=outcome.status, headers=headers)
    return JSONResponse(outcome.body, status_code=outcome.status, headers=headers)


def _decoded(raw: bytes) -> Any:
    """The request body for the log: JSON when it is JSON, else text, else None."""
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
