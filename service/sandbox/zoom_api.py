"""The Zoom REST operations under ``/v2``: authenticate, rate-limit, validate, then act.

The order is Zoom's: an invalid token is refused before it uses quota, and a request over the
per-second limit is refused before its body is looked at. Each operation's rate-limit category
comes from the spec subset (``x-rate-limit-label``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.sandbox import zoom_past
from service.sandbox.zoom_errors import ZoomError
from service.sandbox.zoom_pipeline import Outcome, serve_zoom_request
from service.sandbox.zoom_runtime import ZoomSandbox
from service.sandbox.zoom_state import ZoomAccount
from service.sandbox.zoom_validation import RequestValidator, ValidRequest

#: Runs one operation on the account: (account, request, base URL) -> (status, body or None).
Run = Callable[[ZoomAccount, ValidRequest, str], tuple[int, Any]]


@dataclass(frozen=True)
class ApiOperation:
    operation_id: str
    method: str
    path: str
    run: Run


def _list_meetings(account: ZoomAccount, req: ValidRequest, base: str) -> tuple[int, Any]:
    return 200, account.list_meetings(req.params["userId"], req.params, base)


def _create_meeting(account: ZoomAccount, req: ValidRequest, base: str) -> tuple[int, Any]:
    return 201, account.create_meeting(req.params["userId"], req.body, base)


def _get_meeting(account: ZoomAccount, req: ValidRequest, base: str) -> tuple[int, Any]:
    p = req.params
    show_previous = bool(p.get("show_previous_occurrences", False))
    return 200, account.get_meeting(p["meetingId"], p.get("occurrence_id"), show_previous, base)


def _update_meeting(account: ZoomAccount, req: ValidRequest, _base: str) -> tuple[int, Any]:
    account.update_meeting(req.params["meetingId"], req.params.get("occurrence_id"), req.body)
    return 204, None


def _delete_meeting(account: ZoomAccount, req: ValidRequest, _base: str) -> tuple[int, Any]:
    account.delete_meeting(req.params["meetingId"], req.params.get("occurrence_id"))
    return 204, None


def _add_registrant(account: ZoomAccount, req: ValidRequest, base: str) -> tuple[int, Any]:
    p = req.params
    return 201, account.add_registrant(p["meetingId"], p.get("occurrence_ids"), req.body, base)


def _list_registrants(account: ZoomAccount, req: ValidRequest, _base: str) -> tuple[int, Any]:
    return 200, account.list_registrants(req.params["meetingId"], req.params)


def _get_registrant(account: ZoomAccount, req: ValidRequest, _base: str) -> tuple[int, Any]:
    return 200, account.get_registrant(req.params["meetingId"], req.params["registrantId"])


def _update_registrant_status(
    account: ZoomAccount, req: ValidRequest, _base: str
) -> tuple[int, Any]:
    targets = req.body.get("registrants", [])
    account.update_registrant_status(req.params["meetingId"], req.body["action"], targets)
    return 204, None


def _delete_registrant(account: ZoomAccount, req: ValidRequest, _base: str) -> tuple[int, Any]:
    account.delete_registrant(req.params["meetingId"], req.params["registrantId"])
    return 204, None


def _past_participants(account: ZoomAccount, req: ValidRequest, _base: str) -> tuple[int, Any]:
    meeting = str(req.params["meetingId"])
    return 200, zoom_past.participants(account, meeting, req.params, account.settings.clock())


def _past_instances(account: ZoomAccount, req: ValidRequest, _base: str) -> tuple[int, Any]:
    return 200, zoom_past.instances(account, int(req.params["meetingId"]))


#: Order matters: ``registrants/status`` must be tried before ``registrants/{registrantId}``.
OPERATIONS = (
    ApiOperation("meetings", "GET", "/v2/users/{userId}/meetings", _list_meetings),
    ApiOperation("meetingCreate", "POST", "/v2/users/{userId}/meetings", _create_meeting),
    ApiOperation("meeting", "GET", "/v2/meetings/{meetingId}", _get_meeting),
    ApiOperation("meetingUpdate", "PATCH", "/v2/meetings/{meetingId}", _update_meeting),
    ApiOperation("meetingDelete", "DELETE", "/v2/meetings/{meetingId}", _delete_meeting),
    ApiOperation(
        "meetingRegistrantCreate", "POST", "/v2/meetings/{meetingId}/registrants", _add_registrant
    ),
    ApiOperation(
        "meetingRegistrants", "GET", "/v2/meetings/{meetingId}/registrants", _list_registrants
    ),
    ApiOperation(
        "meetingRegistrantStatus",
        "PUT",
        "/v2/meetings/{meetingId}/registrants/status",
        _update_registrant_status,
    ),
    ApiOperation(
        "meetingRegistrantGet",
        "GET",
        "/v2/meetings/{meetingId}/registrants/{registrantId}",
        _get_registrant,
    ),
    ApiOperation(
        "meetingregistrantdelete",
        "DELETE",
        "/v2/meetings/{meetingId}/registrants/{registrantId}",
        _delete_registrant,
    ),
    # `:path`: a UUID holds `/` once the server decoded the path (see zoom_past).
    ApiOperation(
        "pastMeetingParticipants",
        "GET",
        "/v2/past_meetings/{meetingId:path}/participants",
        _past_participants,
    ),
    ApiOperation("pastMeetings", "GET", "/v2/past_meetings/{meetingId}/instances", _past_instances),
)


def per_second_limit_exceeded(category: str, limit: int) -> ZoomError:
    headers = {
        "X-RateLimit-Category": category,
        "X-RateLimit-Type": "QPS",
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
    }
    message = "You have reached the maximum per-second rate limit for this API. Try again later."
    return ZoomError(429, 429, message, headers=headers)


def _process(
    sandbox: ZoomSandbox,
    request: Request,
    raw: bytes,
    *,
    operation: ApiOperation,
    category: str,
    validator: RequestValidator,
) -> Outcome:
    try:
        now = sandbox.now()
        sandbox.tokens.check(request.headers.get("authorization"), now)
        limit = sandbox.settings.per_second_limit(category)
        if not sandbox.limiter.try_admit(category, limit, now):
            raise per_second_limit_exceeded(category, limit)
        valid = validator.validate(
            operation.operation_id,
            {name: str(value) for name, value in request.path_params.items()},
            dict(request.query_params),
            raw,
        )
        status, body = operation.run(sandbox.account, valid, str(request.base_url).rstrip("/"))
        return Outcome(status, body)
    except ZoomError as error:
        if error.status == 429:
            error.headers.setdefault("X-RateLimit-Category", category)
        return Outcome.from_error(error)


def _endpoint(
    operation: ApiOperation, category: str, validator: RequestValidator
) -> Callable[[Request], Awaitable[Response]]:
    process = partial(_process, operation=operation, category=category, validator=validator)

    async def endpoint(request: Request) -> Response:
        return await serve_zoom_request(request, operation.operation_id, category, process)

    return endpoint


def api_routes(validator: RequestValidator) -> list[Route]:
    return [
        Route(
            operation.path,
            _endpoint(operation, validator.rate_limit_labels[operation.operation_id], validator),
            methods=[operation.method],
        )
        for operation in OPERATIONS
    ]
