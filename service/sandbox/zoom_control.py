"""The control API under ``/_sandbox`` that tests and benchmarks use to see and steer the fake.

No authentication: the sandbox only ever listens on a developer's machine or in CI.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service.sandbox import zoom_past
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


async def hold_meeting(request: Request) -> Response:
    """Hold a meeting now: record its instance and participants, then deliver `meeting.ended`.

    Body: `{"participants": [{"name", "email"?, "segments": [[from_min, to_min], …],
    "waiting_room"?, "hide_email"?, "registered"?}], "start_time"? | "occurrence_id"?,
    "duration"?, "uuid"?, "ready_after_seconds"?, "deliver"?}`; `"deliver": false` holds the
    meeting without sending `meeting.ended` (a webhook Zoom gave up on).
    """
    sandbox = _sandbox(request)
    try:
        spec = await _json_body(request)
        if not isinstance(spec, dict):
            raise ZoomError(400, 300, "The body must be a JSON object.")
        try:
            meeting_id = int(request.path_params["meeting_id"])
        except ValueError:
            raise ZoomError(404, 3001, "Meeting is not found or has expired.") from None
        async with sandbox.lock:
            now = sandbox.now()
            instance = zoom_past.hold(sandbox.account, meeting_id, spec, now)
            settings = sandbox.settings
            event = zoom_past.meeting_ended_event(instance, settings.account_id, now)
    except ZoomError as error:
        return _error(error)
    delivery = None
    if spec.get("deliver", True) and settings.webhook_url and settings.webhook_secret_token:
        delivery = await zoom_past.deliver(
            settings.webhook_url, settings.webhook_secret_token, event
        )
    body = {
        "uuid": instance.uuid,
        "meeting_id": instance.meeting_id,
        "start_time": event["payload"]["object"]["start_time"],
        "end_time": event["payload"]["object"]["end_time"],
        "participant_rows": len(instance.rows),
        "delivery": delivery,
    }
    return JSONResponse(body, status_code=201)


CONTROL_ROUTES = [
    Route("/_sandbox/meetings/{meeting_id}/hold", hold_meeting, methods=["POST"]),
    Route("/_sandbox/state", get_state, methods=["GET"]),
    Route("/_sandbox/requests", get_requests, methods=["GET"]),
    Route("/_sandbox/reset", reset, methods=["POST"]),
    Route("/_sandbox/settings", patch_settings, methods=["POST"]),
    Route("/_sandbox/faults", add_fault, methods=["POST"]),
    Route("/_sandbox/faults", list_faults, methods=["GET"]),
    Route("/_sandbox/faults", clear_faults, methods=["DELETE"]),
    Route("/_sandbox/tokens/expire", expire_tokens, methods=["POST"]),
]
