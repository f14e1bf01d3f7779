"""The sandbox's Calendly v2 REST endpoints: users, scheduled events, invitees, webhooks.

Every endpoint runs behind the gate (faults, auth, rate limit, request log). Parameter rules
and error answers follow facts §1.1 and §5; where Calendly's docs are silent the choice is
noted (e.g. `min_start_time` inclusive, `max_start_time` exclusive).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service.sandbox.calendly_context import Sandbox, now, sandbox_of
from service.sandbox.calendly_errors import CalendlyApiError, InvalidArgument, NotFound
from service.sandbox.calendly_pages import paginate
from service.sandbox.calendly_payloads import (
    render_event,
    render_invitee,
    render_subscription,
    render_user,
)
from service.sandbox.calendly_state import (
    Invitee,
    ScheduledEvent,
    Subscription,
    User,
    new_short_uuid,
)

SUBSCRIBABLE_EVENTS = (
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
    "routing_form_submission.created",
)
ORGANIZATION_ONLY_EVENTS = ("routing_form_submission.created",)

Handler = Callable[[Request, Sandbox], Awaitable[Response]]


def gated(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        sandbox = sandbox_of(request)
        return await sandbox.gate.handle(request, lambda: handler(request, sandbox))

    return endpoint


# -- parameter parsing ---------------------------------------------------------------------


def _uri_id(uri: str, collection: str) -> str | None:
    """`…/organizations/ABC` → `ABC` when the URI names that kind of resource."""
    head, _, last = uri.rstrip("/").rpartition("/")
    return last if head.endswith(f"/{collection}") and last else None


def _organization_param(sandbox: Sandbox, uri: str) -> None:
    if _uri_id(uri, "organizations") != sandbox.state.organization_uuid:
        raise NotFound("organization")


def _user_param(sandbox: Sandbox, uri: str) -> User:
    user = sandbox.state.users.get(_uri_id(uri, "users") or "")
    if user is None:
        raise NotFound("user")
    return user


def _time_param(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidArgument(name, "must be a UTC time like 2020-01-02T03:04:05.678123Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _choice_param(request: Request, name: str, choices: tuple[str, ...]) -> str | None:
    value = request.query_params.get(name)
    if value is not None and value not in choices:
        raise InvalidArgument(name, f"must be one of {', '.join(choices)}")
    return value


def _descending(request: Request, field: str) -> bool:
    sort = _choice_param(request, "sort", (f"{field}:asc", f"{field}:desc"))
    return sort == f"{field}:desc"


async def json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise CalendlyApiError(400, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise CalendlyApiError(400, "The request body must be a JSON object.")
    return body


# -- users -------------------------------------------------------------------------------


async def get_me(request: Request, sandbox: Sandbox) -> Response:
    me = render_user(sandbox.state, sandbox.state.me, sandbox.uris(request))
    return JSONResponse({"resource": me})


async def get_user(request: Request, sandbox: Sandbox) -> Response:
    user = sandbox.state.users.get(request.path_params["uuid"])
    if user is None:
        raise NotFound()
    return JSONResponse({"resource": render_user(sandbox.state, user, sandbox.uris(request))})


# -- scheduled events --------------------------------------------------------------------


def _event_host_filter(request: Request, sandbox: Sandbox) -> str | None:
    """The host uuid to filter on, or None for the whole organization (facts §5.1 rules)."""
    organization = request.query_params.get("organization")
    user_uri = request.query_params.get("user")
    if organization is None and user_uri is None:
        raise InvalidArgument("organization", "or user is required")
    if organization is not None:
        _organization_param(sandbox, organization)
    if user_uri is None:
        return None
    user = _user_param(sandbox, user_uri)
    if organization is None and user.uuid != sandbox.state.me.uuid:
        raise CalendlyApiError(
            403,
            "Please also specify organization when requesting events for a user within "
            "your organization.",
        )
    return user.uuid


def _event_filter(request: Request, sandbox: Sandbox) -> Callable[[ScheduledEvent], bool]:
    host = _event_host_filter(request, sandbox)
    status = _choice_param(request, "status", ("active", "canceled"))
    min_start = _time_param(request, "min_start_time")
    max_start = _time_param(request, "max_start_time")
    email = request.query_params.get("invitee_email")
    invitees = sandbox.state.invitees

    def wanted(event: ScheduledEvent) -> bool:
        return (
            (host is None or event.host_uuid == host)
            and (status is None or event.status == status)
            and (min_start is None or event.start_time >= min_start)
            and (max_start is None or event.start_time < max_start)
            and (email is None or any(invitees[i].email == email for i in event.invitee_uuids))
        )

    return wanted


async def list_events(request: Request, sandbox: Sandbox) -> Response:
    wanted = _event_filter(request, sandbox)
    descending = _descending(request, "start_time")
    events = sorted(
        (event for event in sandbox.state.events.values() if wanted(event)),
        key=lambda event: (event.start_time, event.created_at, event.uuid),
        reverse=descending,
    )
    uris = sandbox.uris(request)
    page = paginate(request, uris.base, events, lambda e: render_event(sandbox.state, e, uris))
    return JSONResponse(page)


def _event_at(request: Request, sandbox: Sandbox) -> ScheduledEvent:
    event = sandbox.state.events.get(request.path_params["uuid"])
    if event is None:
        raise NotFound()
    return event


async def get_event(request: Request, sandbox: Sandbox) -> Response:
    event = _event_at(request, sandbox)
    return JSONResponse({"resource": render_event(sandbox.state, event, sandbox.uris(request))})


async def list_invitees(request: Request, sandbox: Sandbox) -> Response:
    event = _event_at(request, sandbox)
    status = _choice_param(request, "status", ("active", "canceled"))
    email = request.query_params.get("email")
    descending = _descending(request, "created_at")
    invitees = [sandbox.state.invitees[uid] for uid in event.invitee_uuids]
    wanted = [
        inv
        for inv in invitees
        if (status is None or inv.status == status) and (email is None or inv.email == email)
    ]
    if descending:
        wanted.reverse()  # booking order is created_at order
    uris = sandbox.uris(request)

    def render(invitee: Invitee) -> dict[str, Any]:
        return render_invitee(sandbox.state, invitee, uris, embed_event=False)

    return JSONResponse(paginate(request, uris.base, wanted, render))


async def get_invitee(request: Request, sandbox: Sandbox) -> Response:
    event = _event_at(request, sandbox)
    invitee = sandbox.state.invitees.get(request.path_params["invitee_uuid"])
    if invitee is None or invitee.event_uuid != event.uuid:
        raise NotFound()
    rendered = render_invitee(sandbox.state, invitee, sandbox.uris(request), embed_event=False)
    return JSONResponse({"resource": rendered})


# -- webhook subscriptions ---------------------------------------------------------------


def _subscription_fields(
    body: dict[str, Any], sandbox: Sandbox
) -> tuple[str, list[str], str, str | None]:
    url, events, scope = body.get("url"), body.get("events"), body.get("scope")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise InvalidArgument("url", "must be an absolute http(s) URL")
    if (
        not isinstance(events, list)
        or not events
        or any(event not in SUBSCRIBABLE_EVENTS for event in events)
    ):
        raise InvalidArgument("events", f"must be a list of {', '.join(SUBSCRIBABLE_EVENTS)}")
    organization = body.get("organization")
    if not isinstance(organization, str):
        raise InvalidArgument("organization", "is required")
    _organization_param(sandbox, organization)
    if scope not in ("organization", "user"):
        raise InvalidArgument("scope", "must be organization or user")
    user_uuid = None
    if scope == "user":
        user_uri = body.get("user")
        if not isinstance(user_uri, str):
            raise InvalidArgument("user", "is required when scope is user")
        user_uuid = _user_param(sandbox, user_uri).uuid
        if any(event in ORGANIZATION_ONLY_EVENTS for event in events):
            raise InvalidArgument(
                "events", "routing_form_submission.created needs scope organization"
            )
    return url, list(dict.fromkeys(events)), scope, user_uuid


async def create_subscription(request: Request, sandbox: Sandbox) -> Response:
    body = await json_object(request)
    url, events, scope, user_uuid = _subscription_fields(body, sandbox)
    signing_key = body.get("signing_key")
    if signing_key is not None and not isinstance(signing_key, str):
        raise InvalidArgument("signing_key", "must be a string")
    if any(sub.callback_url == url for sub in sandbox.state.subscriptions.values()):
        raise CalendlyApiError(409, "Hook with this url already exists")
    created = now()
    subscription = Subscription(
        uuid=new_short_uuid(),
        callback_url=url,
        events=events,
        scope=scope,
        user_uuid=user_uuid,
        creator_uuid=sandbox.state.me.uuid,
        signing_key=signing_key,
        created_at=created,
        updated_at=created,
    )
    sandbox.state.subscriptions[subscription.uuid] = subscription
    resource = render_subscription(sandbox.state, subscription, sandbox.uris(request))
    return JSONResponse({"resource": resource}, status_code=201)


async def list_subscriptions(request: Request, sandbox: Sandbox) -> Response:
    organization = request.query_params.get("organization")
    if organization is None:
        raise InvalidArgument("organization", "is required")
    _organization_param(sandbox, organization)
    scope = _choice_param(request, "scope", ("organization", "user"))
    if scope is None:
        raise InvalidArgument("scope", "is required")
    user_uuid = None
    if scope == "user":
        user_uri = request.query_params.get("user")
        if user_uri is None:
            raise InvalidArgument("user", "is required when scope is user")
        user_uuid = _user_param(sandbox, user_uri).uuid
    subscriptions = sorted(
        (
            sub
            for sub in sandbox.state.subscriptions.values()
            if sub.scope == scope and (user_uuid is None or sub.user_uuid == user_uuid)
        ),
        key=lambda sub: sub.created_at,
        reverse=_descending(request, "created_at"),
    )
    uris = sandbox.uris(request)
    page = paginate(
        request, uris.base, subscriptions, lambda s: render_subscription(sandbox.state, s, uris)
    )
    return JSONResponse(page)


def _subscription_at(request: Request, sandbox: Sandbox) -> Subscription:
    subscription = sandbox.state.subscriptions.get(request.path_params["uuid"])
    if subscription is None:
        raise NotFound()
    return subscription


async def get_subscription(request: Request, sandbox: Sandbox) -> Response:
    subscription = _subscription_at(request, sandbox)
    resource = render_subscription(sandbox.state, subscription, sandbox.uris(request))
    return JSONResponse({"resource": resource})


async def delete_subscription(request: Request, sandbox: Sandbox) -> Response:
    subscription = _subscription_at(request, sandbox)
    del sandbox.state.subscriptions[subscription.uuid]
    return Response(status_code=204)


ROUTES = [
    Route("/users/me", gated(get_me), methods=["GET"]),
    Route("/users/{uuid}", gated(get_user), methods=["GET"]),
    Route("/scheduled_events", gated(list_events), methods=["GET"]),
    Route("/scheduled_events/{uuid}", gated(get_event), methods=["GET"]),
    Route("/scheduled_events/{uuid}/invitees", gated(list_invitees), methods=["GET"]),
    Route("/scheduled_events/{uuid}/invitees/{invitee_uuid}", gated(get_invitee), methods=["GET"]),
    Route("/webhook_subscriptions", gated(list_subscriptions), methods=["GET"]),
    Route("/webhook_subscriptions", gated(create_subscription), methods=["POST"]),
    Route("/webhook_subscriptions/{uuid}", gated(get_subscription), methods=["GET"]),
    Route("/webhook_subscriptions/{uuid}", gated(delete_subscription), methods=["DELETE"]),
]
