"""The sandbox Calendly's `/invitee_no_shows`: mark an invitee a no-show, read it, undo it.

As Calendly: `POST /invitee_no_shows {"invitee": <invitee URI>}` → 201 `{resource: {uri,
invitee, created_at}}` (400 when the invitee is unknown or already a no-show);
`GET /invitee_no_shows/{uuid}`; `DELETE /invitee_no_shows/{uuid}` (the *no-show's* uuid) → 204.
Each change is delivered as `invitee_no_show.created` / `.deleted` to the subscriptions, the way
a change made in Calendly's own interface is, and every request is in the request log.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service.sandbox.calendly_context import Sandbox, now
from service.sandbox.calendly_errors import InvalidArgument, NotFound
from service.sandbox.calendly_payloads import iso
from service.sandbox.calendly_rest import gated, json_object
from service.sandbox.calendly_state import Invitee


def _resource(request: Request, sandbox: Sandbox, invitee: Invitee) -> dict[str, str]:
    assert invitee.no_show is not None
    uris = sandbox.uris(request)
    return {
        "uri": uris.no_show(invitee.no_show.uuid),
        "invitee": uris.invitee(invitee.event_uuid, invitee.uuid),
        "created_at": iso(invitee.no_show.created_at),
    }


def _by_no_show(sandbox: Sandbox, no_show_uuid: str) -> Invitee:
    for invitee in sandbox.state.invitees.values():
        if invitee.no_show is not None and invitee.no_show.uuid == no_show_uuid:
            return invitee
    raise NotFound()


async def create_no_show(request: Request, sandbox: Sandbox) -> Response:
    body = await json_object(request)
    uri = body.get("invitee")
    if not isinstance(uri, str) or not uri:
        raise InvalidArgument("invitee", "is required")
    invitee = sandbox.state.invitees.get(uri.rstrip("/").rpartition("/")[2])
    if invitee is None:
        raise InvalidArgument("invitee", "not found")
    if invitee.no_show is not None:
        raise InvalidArgument("invitee", "is already marked as no show")
    sandbox.state.set_no_show(invitee, True, now=now())
    resource = _resource(request, sandbox, invitee)
    await sandbox.announce(request, "invitee_no_show.created", invitee)
    return JSONResponse({"resource": resource}, status_code=201)


async def get_no_show(request: Request, sandbox: Sandbox) -> Response:
    invitee = _by_no_show(sandbox, request.path_params["uuid"])
    return JSONResponse({"resource": _resource(request, sandbox, invitee)})


async def delete_no_show(request: Request, sandbox: Sandbox) -> Response:
    invitee = _by_no_show(sandbox, request.path_params["uuid"])
    sandbox.state.set_no_show(invitee, False, now=now())
    await sandbox.announce(request, "invitee_no_show.deleted", invitee)
    return Response(status_code=204)


ROUTES = [
    Route("/invitee_no_shows", gated(create_no_show), methods=["POST"]),
    Route("/invitee_no_shows/{uuid}", gated(get_no_show), methods=["GET"]),
    Route("/invitee_no_shows/{uuid}", gated(delete_no_show), methods=["DELETE"]),
]
