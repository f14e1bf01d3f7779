"""The control API under ``/_sandbox`` that tests and benchmarks use to see and steer the fake.

No authentication: the sandbox only ever listens on a developer's machine or in CI.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service.sandbox.zoom_errors import ZoomError
from service.sandbox.zoom_runtime import ZoomSandbox


def _sandbox(request: Request) -> ZoomSandbox:
    sandbox: ZoomSandbox = request.app.state.sandbox
    return sandbox


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body() or b"{}")
    except json.JSONDecodeError as exc:
        raise ZoomError(400, 300, "Malformed JSON.") from exc


def _error(error: ZoomError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status)


async def get_state(request: Request) -> Response:
    sandbox = _sandbox(request)
    async with sandbox.lock:
        return JSONResponse(sandbox.state_view())


async def get_requests(request: Request) -> Response:
    sandbox = _sandbox(request)
    async with sandbox.lock:
        return JSONResponse({"requests": [entry.view() for entry in sandbox.log]})


async def reset(request: Request) -> Response:
    sandbox = _sandbox(request)
    async with sandbox.lock:
        sandbox.reset()
    return JSONResponse({"status": "reset"})


async def patch_settings(request: Request) -> Response:
    sandbox = _sandbox(request)
    try:
        changes = await _json_body(request)
        if not isinstance(changes, dict):
            raise ZoomError(400, 300, "Settings must be a JSON object.")
        async with sandbox.lock:
            sandbox.apply_settings(changes)
            return JSONResponse({"settings": sandbox.settings.public_view()})
    except ZoomError as error:
        return _error(error)


async def add_fault(request: Request) -> Response:
    sandbox = _sandbox(request)
    try:
        spec = await _json_body(request)
        async with sandbox.lock:
            fault = sandbox.faults.add(spec)
        return JSONResponse(fault.view(), status_code=201)
    except ZoomError as error:
        return _error(error)


async def list_faults(request: Request) -> Response:
    sandbox = _sandbox(request)
    async with sandbox.lock:
        return JSONResponse({"faults": [fault.view() for fault in sandbox.faults.faults]})


async def clear_faults(request: Request) -> Response:
    sandbox = _sandbox(request)
    async with sandbox.lock:
        sandbox.faults.clear()
    return Response(status_code=204)


async def expire_tokens(request: Request) -> Response:
    sandbox = _sandbox(request)
    async with sandbox.lock:
        expired = sandbox.tokens.expire_all()
    return JSONResponse({"expired": expired})


CONTROL_ROUTES = [
    Route("/_sandbox/state", get_state, methods=["GET"]),
    Route("/_sandbox/requests", get_requests, methods=["GET"]),
    Route("/_sandbox/reset", reset, methods=["POST"]),
    Route("/_sandbox/settings", patch_settings, methods=["POST"]),
    Route("/_sandbox/faults", add_fault, methods=["POST"]),
    Route("/_sandbox/faults", list_faults, methods=["GET"]),
    Route("/_sandbox/faults", clear_faults, methods=["DELETE"]),
    Route("/_sandbox/tokens/expire", expire_tokens, methods=["POST"]),
]
