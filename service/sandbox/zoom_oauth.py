"""``POST /oauth/token``: Server-to-Server OAuth, the account_credentials grant only.

Parameters may come as query parameters or as an x-www-form-urlencoded body; Zoom accepts both.
Credential errors use the OAuth-style body Zoom sends (``{"reason", "error"}``), not its API
error shape.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from service.sandbox.zoom_pipeline import Outcome, serve_zoom_request
from service.sandbox.zoom_runtime import ZoomSandbox
from service.sandbox.zoom_tokens import GRANTED_SCOPES


async def token_endpoint(request: Request) -> Response:
    return await serve_zoom_request(request, "oauthToken", None, issue_token)


def issue_token(sandbox: ZoomSandbox, request: Request, raw: bytes) -> Outcome:
    settings = sandbox.settings
    params = dict(request.query_params)
    params.update(parse_qsl(raw.decode("utf-8", errors="replace")))
    if _basic_credentials(request.headers.get("authorization")) != (
        settings.client_id,
        settings.client_secret,
    ):
        return _oauth_error("Invalid client_id or client_secret", "invalid_client")
    if params.get("grant_type") != "account_credentials":
        return _oauth_error("unsupported grant type", "unsupported_grant_type")
    if params.get("account_id") != settings.account_id:
        return _oauth_error("Invalid account_id", "invalid_request")
    token = sandbox.tokens.issue(
        sandbox.now(), settings.token_lifetime_seconds, settings.max_active_tokens
    )
    return Outcome(
        200,
        {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": settings.token_lifetime_seconds,
            "scope": GRANTED_SCOPES,
            "api_url": str(request.base_url).rstrip("/"),
        },
    )


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, separator, client_secret = decoded.partition(":")
    return (client_id, client_secret) if separator else None


def _oauth_error(reason: str, error: str) -> Outcome:
    return Outcome(400, {"reason": reason, "error": error})
