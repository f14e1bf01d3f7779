"""Reading an urlencoded form (the UI's forms and htmx send nothing else)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.http.errors import ApiError
from service.services.errors import ServiceError


async def form_pairs(request: Request) -> list[tuple[str, str]]:
    body = await request.body()
    return parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)


async def form_of(request: Request) -> dict[str, str]:
    return dict(await form_pairs(request))


def actor(request: Request) -> str:
    """Who acts, as the API names a token's holder in audit fields."""
    name: str = request.scope["state"]["ui_session"].name
    return name


def redirect(request: Request, url: str) -> Response:
    """303 for a plain form; for htmx a full navigation (it would swap a followed redirect
    into the page without changing the address)."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def describe(error: ApiError | ServiceError) -> str:
    """The API's error message with every detail, for a role="alert" line."""
    details = "; ".join(
        f"{d['field']}: {d['problem']}" if isinstance(d, dict) and "problem" in d else str(d)
        for d in error.details
    )
    return f"{error.message}: {details}" if details else error.message
