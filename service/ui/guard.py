"""Everything under /ui/ passes here: security headers, session, CSRF, role.

Closed by default: only the sign-in page and the static files are open; any other /ui/
path needs a live session (else a redirect to /ui/login). Every POST must carry the
session's CSRF token (form field `csrf` or header `X-CSRF-Token`), else 403 and the handler
never runs. An ops session may POST only under /ui/ops/ (and sign out), as in the API.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qsl

from starlette.datastructures import MutableHeaders
from starlette.requests import Request, cookie_parser
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.adapters import ui_sessions
from service.http.runtime import runtime_of
from service.ui.render import language, render, translator

UI_PREFIX = "/ui/"
SESSION_COOKIE = "ws_session"
LOGIN_CSRF_COOKIE = "ws_login_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = b"x-csrf-token"
OPEN_PATHS = ("/ui/login",)
STATIC_PREFIX = "/ui/static/"
OPS_ACTIONS = ("/ui/ops/", "/ui/logout")
MAX_FORM_BYTES = 1_000_000

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",  # a one-time sign-in code must not leak onwards
    "cross-origin-opener-policy": "same-origin",
}


def is_ui(path: str) -> bool:
    return path in {"/", "/ui"} or path.startswith(UI_PREFIX)


def cookies_of(scope: Scope) -> dict[str, str]:
    raw = dict(scope["headers"]).get(b"cookie", b"").decode("latin-1")
    return cookie_parser(raw)


async def _read_body(receive: Receive) -> bytes | None:
    body = b""
    while True:
        message = await receive()
        chunk: bytes = message.get("body", b"")
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
        if not message.get("more_body"):
            return body


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _same(given: str | None, expected: str) -> bool:
    return given is not None and secrets.compare_digest(given.encode(), expected.encode())


def _denied(scope: Scope, key: str, status: int = 403, **values: str) -> Response:
    request = Request(scope)
    t = translator(language(request))
    return render(
        request, "base.html", {"title": t("refused")}, status=status, error=t(key, **values)
    )


def _to_login(scope: Scope) -> Response:
    headers = {"HX-Redirect": "/ui/login"} if (b"hx-request", b"true") in scope["headers"] else {}
    return RedirectResponse("/ui/login", status_code=303, headers=headers)


class UiGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_ui(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not scope["path"].startswith(STATIC_PREFIX):
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        response, receive = await self._check(scope, receive)
        if response is not None:
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    async def _check(self, scope: Scope, receive: Receive) -> tuple[Response | None, Receive]:
        path, method = scope["path"], scope["method"]
        if path in ("/", "/ui") or path.startswith(STATIC_PREFIX):
            return None, receive
        cookies = cookies_of(scope)
        form: dict[str, str] = {}
        if method == "POST":
            body = await _read_body(receive)
            if body is None:
                return _denied(scope, "form_too_large", 413), receive
            receive = _replay(body)
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        given = form.get(CSRF_FIELD) or dict(scope["headers"]).get(CSRF_HEADER, b"").decode()
        if path in OPEN_PATHS:
            expected = cookies.get(LOGIN_CSRF_COOKIE, "")
            if method == "POST" and not (expected and _same(given, expected)):
                return _denied(scope, "login_form_expired"), receive
            return None, receive
        session = None
        session_id = cookies.get(SESSION_COOKIE)
        if session_id:
            async with runtime_of(scope).pool.acquire() as conn:
                session = await ui_sessions.load(conn, session_id)
        if session is None:
            return _to_login(scope), receive
        scope.setdefault("state", {})["ui_session"] = session
        scope["state"]["ui_session_id"] = session_id
        if method not in ("GET", "HEAD"):
            if not _same(given or None, session.csrf_token):
                return _denied(scope, "csrf_refused"), receive
            if session.role != "admin" and not path.startswith(OPS_ACTIONS):
                return _denied(scope, "role_refused", role=session.role), receive
        return None, receive
