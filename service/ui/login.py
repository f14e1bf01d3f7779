"""Sign-in with an API token or a one-time link, and sign-out (CONTRACT §6 "Sign-in").

A one-time link (`/ui/login?once=…`) shows a button instead of signing in on GET, so a
link preview or prefetch cannot use the code up.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response

from service.adapters import ui_sessions
from service.http.runtime import runtime
from service.ui.forms import form_of, redirect
from service.ui.guard import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from service.ui.render import language, render, translator

HOME = "/ui/webinars"


def _secure(request: Request) -> bool:
    return runtime(request).settings.public_base_url.startswith("https://")


def _login_page(request: Request, *, status: int = 200, error: str | None = None) -> Response:
    code = secrets.token_urlsafe(32)
    t = translator(language(request))
    response = render(
        request,
        "login.html",
        {"title": t("sign_in"), "login_csrf": code, "once": request.query_params.get("once")},
        status=status,
        error=error,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        code,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/ui/login",
    )
    return response


async def show_login(request: Request) -> Response:
    return _login_page(request)


async def sign_in(request: Request) -> Response:
    form = await form_of(request)
    t = translator(language(request))
    async with runtime(request).pool.acquire() as conn:
        if form.get("once"):
            session_id = await ui_sessions.open_with_link(conn, form["once"])
            problem = t("login_link_refused")
        else:
            session_id = await ui_sessions.open_with_token(conn, form.get("token", "").strip())
            problem = t("login_token_refused")
    if session_id is None:
        request.scope["query_string"] = b""  # the refused code is not offered again
        return _login_page(request, status=403, error=problem)
    response = redirect(request, HOME)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/ui/login")
    return response


async def sign_out(request: Request) -> Response:
    async with runtime(request).pool.acquire() as conn:
        await ui_sessions.close(conn, request.scope["state"]["ui_session_id"])
    response = redirect(request, "/ui/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
