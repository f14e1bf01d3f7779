"""Bearer-token auth for everything under /api/v1: closed unless a live token opens it.

Role `admin` may do everything; role `ops` may read anything and act only on
/api/v1/ops/*. The check sits in front of every route, so a new endpoint cannot be
left open by forgetting a decorator. Tokens are checked against an in-process copy of the
live ones (`service.http.token_cache`): a bad token costs no query of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from service.http.errors import error_response
from service.http.runtime import runtime_of

PROTECTED_PREFIX = "/api/v1/"
OPS_PREFIX = "/api/v1/ops/"
READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class Principal:
    name: str
    role: str


def may(role: str, method: str, path: str) -> bool:
    if role == "admin":
        return True
    return role == "ops" and (method in READ_METHODS or path.startswith(OPS_PREFIX))


def _bearer(scope: Scope) -> str | None:
    header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class BearerAuthMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PROTECTED_PREFIX):
            await self.app(scope, receive, send)
            return
        token = _bearer(scope)
        identity = None
        if token is not None:
            identity = await runtime_of(scope).tokens.identify(token)
        if identity is None:
            response = error_response(401, "a valid bearer token is required")
            response.headers["WWW-Authenticate"] = "Bearer"
            await response(scope, receive, send)
            return
        name, role = identity
        if not may(role, scope["method"], scope["path"]):
            await error_response(403, f"role {role!r} may not {scope['method']} this resource")(
                scope, receive, send
            )
            return
        scope.setdefault("state", {})["principal"] = Principal(name, role)
        await self.app(scope, receive, send)
