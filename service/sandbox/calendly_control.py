"""`/_sandbox/*`: how tests and `up` drive the fake Calendly (no auth).

Changes that Calendly would announce (bookings, cancellations, reschedules, no-shows) are
applied first and then delivered, synchronously, to every matching active subscription; the
response lists the deliveries with the status the receiver answered. Events and invitees may
be named by uuid or by URI.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service.sandbox.calendly_context import Sandbox, now, sandbox_of
from service.sandbox.calendly_gate import Fault
from service.sandbox.calendly_locations import build_location
from service.sandbox.calendly_payloads import render_event, render_invitee, render_subscription
from service.sandbox.calendly_state import Cancellation, SandboxError, ScheduledEvent, new_uuid


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise SandboxError(400, "body must be JSON") from None
    if not isinstance(body, dict):
        raise SandboxError(400, "body must be a JSON object")
    return body


def _ref(value: Any, name: str) -> str:
    """A uuid, or the last segment of a URI naming the resource."""
    if not isinstance(value, str) or not value:
        raise SandboxError(400, f"{name} is required (uuid or URI)")
    return value.rstrip("/").rpartition("/")[2]


def _time(value: Any, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise SandboxError(400, f"{name} must be an ISO-8601 time with offset") from None
    if moment.tzinfo is None:
        raise SandboxError(400, f"{name} must carry a UTC offset, e.g. 2026-10-12T16:00:00Z")
    return moment


def _int(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise SandboxError(400, f"{name} must be an integer")
    return value


def _cancellation(body: dict[str, Any], default_canceler: str) -> Cancellation:
    canceler_type = body.get("canceler_type", "invitee")
    if canceler_type not in ("invitee", "host"):
        raise SandboxError(400, "canceler_type must be invitee or host")
    return Cancellation(
        canceled_by=str(body.get("canceled_by", default_canceler)),
        reason=body.get("reason"),
        canceler_type=canceler_type,
        created_at=now(),
    )


def _new_event(
    sandbox: Sandbox, body: dict[str, Any], *, like: ScheduledEvent | None = None
) -> ScheduledEvent:
    """An event from control JSON; `like` supplies name, type, host and location defaults."""
    start = _time(body.get("start_time"), "start_time")
    if "end_time" in body:
        end = _time(body["end_time"], "end_time")
    elif like is not None:
        end = start + (like.end_time - like.start_time)
    else:
        end = start + timedelta(minutes=_int(body, "duration_minutes", 60))
    event_uuid = new_uuid()
    host = sandbox.state.me
    if isinstance(body.get("host"), dict):
        host = sandbox.state.host_by_email(
            str(body["host"].get("name", "Host")), str(body["host"]["email"]), now()
        )
    elif like is not None:
        host = sandbox.state.users[like.host_uuid]
    if "location" in body:
        location = build_location(body["location"], event_uuid)
    elif like is not None:
        location = like.location
    else:
        location = build_location({"type": "zoom"}, event_uuid)
    return sandbox.state.create_event(
        name=str(body.get("name", like.name if like else "Info-Webinar")),
        start_time=start,
        end_time=end,
        location=location,
        invitee_limit=_int(body, "max_invitees", like.invitee_limit if like else 1),
        host=host,
        now=now(),
        event_type_uuid=body.get("event_type") or (like.event_type_uuid if like else None),
        event_uuid=event_uuid,
    )


# -- handlers ----------------------------------------------------------------------------


async def reset(request: Request, sandbox: Sandbox) -> Response:
    sandbox.reset()
    return await info(request, sandbox)


async def info(request: Request, sandbox: Sandbox) -> Response:
    uris = sandbox.uris(request)
    return JSONResponse(
        {
            "base_url": uris.base,
            "user": uris.user(sandbox.state.me.uuid),
            "organization": uris.organization(sandbox.state.organization_uuid),
        }
    )


async def create_event(request: Request, sandbox: Sandbox) -> Response:
    event = _new_event(sandbox, await _body(request))
    resource = render_event(sandbox.state, event, sandbox.uris(request))
    return JSONResponse({"resource": resource}, status_code=201)


async def cancel_event(request: Request, sandbox: Sandbox) -> Response:
    """Host cancels the event: one `invitee.canceled` per active invitee (facts §1.3)."""
    body = await _body(request)
    event = sandbox.state.event(request.path_params["uuid"])
    host_name = sandbox.state.users[event.host_uuid].name
    cancellation = _cancellation({"canceler_type": "host", **body}, host_name)
    deliveries = []
    for invitee in sandbox.state.cancel_event(event, cancellation, now=now()):
        deliveries += await sandbox.announce(request, "invitee.canceled", invitee)
    resource = render_event(sandbox.state, event, sandbox.uris(request))
    return JSONResponse({"resource": resource, "deliveries": deliveries})


async def book_invitee(request: Request, sandbox: Sandbox) -> Response:
    body = await _body(request)
    event = sandbox.state.event(_ref(body.get("event"), "event"))
    name = body.get("name")
    email = body.get("email")
    if not isinstance(name, str) or not isinstance(email, str):
        raise SandboxError(400, "name and email are required")
    invitee = sandbox.state.book(
        event,
        name=name,
        email=email,
        now=now(),
        first_name=body.get("first_name"),
        last_name=body.get("last_name"),
        timezone=body.get("timezone"),
        questions_and_answers=body.get("questions_and_answers"),
        tracking=body.get("tracking"),
        text_reminder_number=body.get("text_reminder_number"),
    )
    deliveries = await sandbox.announce(request, "invitee.created", invitee)
    resource = render_invitee(sandbox.state, invitee, sandbox.uris(request), embed_event=True)
    return JSONResponse({"resource": resource, "deliveries": deliveries}, status_code=201)


async def cancel_invitee(request: Request, sandbox: Sandbox) -> Response:
    """Cancel, or reschedule with `reschedule: {start_time…}` / `reschedule: {event}`."""
    body = await _body(request)
    invitee = sandbox.state.invitee(request.path_params["uuid"])
    cancellation = _cancellation(body, invitee.name)
    uris = sandbox.uris(request)
    target_spec = body.get("reschedule")
    if target_spec is None:
        sandbox.state.cancel_invitee(invitee, cancellation, now=now())
        deliveries = await sandbox.announce(request, "invitee.canceled", invitee)
        resource = render_invitee(sandbox.state, invitee, uris, embed_event=True)
        return JSONResponse({"resource": resource, "deliveries": deliveries})
    if not isinstance(target_spec, dict):
        raise SandboxError(400, "reschedule must be an object: {event} or {start_time, …}")
    old_event = sandbox.state.event(invitee.event_uuid)
    if "event" in target_spec:
        target = sandbox.state.event(_ref(target_spec["event"], "reschedule.event"))
    else:
        target = _new_event(sandbox, target_spec, like=old_event)
    successor = sandbox.state.reschedule(invitee, target, cancellation, now=now())
    announcements = [("invitee.canceled", invitee), ("invitee.created", successor)]
    if body.get("order", "canceled_first") == "created_first":
        announcements.reverse()  # Calendly guarantees no order between the two (facts §3)
    deliveries = []
    for event_name, subject in announcements:
        deliveries += await sandbox.announce(request, event_name, subject)
    return JSONResponse(
        {
            "resource": render_invitee(sandbox.state, invitee, uris, embed_event=True),
            "new_invitee": render_invitee(sandbox.state, successor, uris, embed_event=True),
            "deliveries": deliveries,
        }
    )


async def set_no_show(request: Request, sandbox: Sandbox) -> Response:
    body = await _body(request)
    invitee = sandbox.state.invitee(_ref(body.get("invitee"), "invitee"))
    no_show = body.get("no_show", True)
    if not isinstance(no_show, bool):
        raise SandboxError(400, "no_show must be true (mark) or false (unmark)")
    sandbox.state.set_no_show(invitee, no_show, now=now())
    event_name = "invitee_no_show.created" if no_show else "invitee_no_show.deleted"
    deliveries = await sandbox.announce(request, event_name, invitee)
    resource = render_invitee(sandbox.state, invitee, sandbox.uris(request), embed_event=True)
    return JSONResponse({"resource": resource, "deliveries": deliveries})


async def disable_subscription(request: Request, sandbox: Sandbox) -> Response:
    """What Calendly does after 24 h of failed deliveries; only delete + recreate undoes it."""
    subscription = sandbox.state.subscription(request.path_params["uuid"])
    subscription.state = "disabled"
    subscription.updated_at = now()
    subscription.retry_started_at = subscription.retry_started_at or now()
    resource = render_subscription(sandbox.state, subscription, sandbox.uris(request))
    return JSONResponse({"resource": resource})


async def add_fault(request: Request, sandbox: Sandbox) -> Response:
    """`{method?, path? (regex), query? (regex), status, count?, reset_s?, retry_after?, body?}`."""
    body = await _body(request)
    status = _int(body, "status", 500)
    try:
        path_pattern = re.compile(str(body.get("path", "")))
        query_pattern = re.compile(str(body.get("query", "")))
    except re.error as exc:
        raise SandboxError(400, f"path or query is not a valid regex: {exc}") from None
    retry_after = body.get("retry_after")
    fault = Fault(
        method=str(body.get("method", "*")).upper(),
        path_pattern=path_pattern,
        query_pattern=query_pattern,
        status=status,
        remaining=_int(body, "count", 1),
        reset_s=_int(body, "reset_s", 1),
        retry_after_s=int(retry_after) if retry_after is not None else None,
        body=body.get("body"),
    )
    sandbox.gate.add_fault(fault)
    return JSONResponse({"fault": fault.describe()}, status_code=201)


async def revoke_token(request: Request, sandbox: Sandbox) -> Response:
    """Revoke `token` (default: the configured one); later REST calls with it get 401."""
    body = await _body(request)
    sandbox.gate.revoked.add(str(body.get("token", sandbox.settings.token)))
    return JSONResponse({"revoked": True})


async def add_token(request: Request, sandbox: Sandbox) -> Response:
    """Accept another token, like creating a new personal access token after a revoke."""
    body = await _body(request)
    token = body.get("token")
    if not isinstance(token, str) or not token:
        raise SandboxError(400, "token is required")
    sandbox.gate.extra_tokens.add(token)
    sandbox.gate.revoked.discard(token)
    return JSONResponse({"added": True}, status_code=201)


async def seed(request: Request, sandbox: Sandbox) -> Response:
    """Bulk-create `events` x `invitees_per_event` without deliveries, `interval_minutes` apart."""
    body = await _body(request)
    event_count = _int(body, "events", 1)
    per_event = _int(body, "invitees_per_event", 0)
    interval = timedelta(minutes=_int(body, "interval_minutes", 60))
    first_start = (
        _time(body["start_time"], "start_time")
        if "start_time" in body
        else (now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    )
    template: dict[str, Any] = {
        key: body[key] for key in ("name", "location", "duration_minutes") if key in body
    }
    created = []
    for index in range(event_count):
        start = first_start + index * interval
        event = _new_event(
            sandbox,
            {**template, "start_time": start.isoformat(), "max_invitees": max(per_event, 1)},
        )
        for seat in range(per_event):
            sandbox.state.book(
                event,
                name=f"Seed Invitee {index}-{seat}",
                email=f"seed.{index}.{seat}@example.com",
                first_name="Seed",
                last_name=f"Invitee {index}-{seat}",
                now=now(),
            )
        created.append(sandbox.uris(request).event(event.uuid))
    return JSONResponse({"events": created, "invitees": event_count * per_event}, status_code=201)


async def list_requests(request: Request, sandbox: Sandbox) -> Response:
    method = request.query_params.get("method")
    path = re.compile(request.query_params.get("path", ".*"))
    logged = [
        entry
        for entry in sandbox.gate.log
        if (method is None or entry["method"] == method.upper()) and path.search(entry["path"])
    ]
    return JSONResponse({"requests": logged})


async def list_deliveries(request: Request, sandbox: Sandbox) -> Response:
    event = request.query_params.get("event")
    deliveries = [
        delivery.describe()
        for delivery in sandbox.deliverer.deliveries
        if event is None or delivery.event == event
    ]
    return JSONResponse({"deliveries": deliveries})


async def redeliver(request: Request, sandbox: Sandbox) -> Response:
    """Send a delivery again (a Calendly retry): same body, fresh signature."""
    delivery = sandbox.deliverer.find(int(request.path_params["id"]))
    subscription = sandbox.state.subscription(delivery.subscription_uuid)
    if subscription.state != "active":
        raise SandboxError(409, f"webhook subscription {subscription.uuid} is disabled")
    await sandbox.deliverer.redeliver(delivery, subscription)
    return JSONResponse({"delivery": delivery.describe()})


def control(
    handler: Callable[[Request, Sandbox], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """Control endpoints answer `{"error": …}` with the status a `SandboxError` names."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request, sandbox_of(request))
        except SandboxError as exc:
            return _problem(exc.status, str(exc))

    return endpoint


ROUTES = [
    Route("/_sandbox/reset", control(reset), methods=["POST"]),
    Route("/_sandbox/info", control(info), methods=["GET"]),
    Route("/_sandbox/events", control(create_event), methods=["POST"]),
    Route("/_sandbox/events/{uuid}/cancel", control(cancel_event), methods=["POST"]),
    Route("/_sandbox/invitees", control(book_invitee), methods=["POST"]),
    Route("/_sandbox/invitees/{uuid}/cancel", control(cancel_invitee), methods=["POST"]),
    Route("/_sandbox/no_shows", control(set_no_show), methods=["POST"]),
    Route(
        "/_sandbox/subscriptions/{uuid}/disable", control(disable_subscription), methods=["POST"]
    ),
    Route("/_sandbox/faults", control(add_fault), methods=["POST"]),
    Route("/_sandbox/tokens", control(add_token), methods=["POST"]),
    Route("/_sandbox/tokens/revoke", control(revoke_token), methods=["POST"]),
    Route("/_sandbox/seed", control(seed), methods=["POST"]),
    Route("/_sandbox/requests", control(list_requests), methods=["GET"]),
    Route("/_sandbox/deliveries", control(list_deliveries), methods=["GET"]),
    Route("/_sandbox/deliveries/{id:int}/redeliver", control(redeliver), methods=["POST"]),
]
