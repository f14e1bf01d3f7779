"""Reading admin input: JSON bodies (400 when malformed, 413 when too large) and path ids
(404 for one that cannot exist). Fields are checked by models (`service.http.validation`).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from service.domain.json_text import InvalidJson, is_storable, parse_json
from service.domain.numbers import ascii_int
from service.http.errors import ApiError

MAX_BODY_BYTES = 64 * 1024


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        return parse_json(raw).value
    except InvalidJson as error:
        raise ApiError(400, f"the body is not valid JSON: {error.reason}") from None


async def optional_json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object; an empty body is an empty object."""
    if not (await request.body()).strip():
        return {}
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def storable(value: str) -> bool:
    """Postgres text cannot hold NUL (nor can UTF-8 a lone surrogate); such input is refused,
    not allowed to fail the query."""
    return is_storable(value)


def path_id(request: Request, noun: str) -> int:
    """Route ids are bigserial keys; anything else cannot exist, so it is a 404, not a 422."""
    raw = str(request.path_params["id"])
    number = ascii_int(raw)
    if not number:
        raise ApiError(404, f"no such {noun}: {raw}")
    return number


def course_id(request: Request) -> str:
    """The booking system's id as given; one Postgres can't hold (U+0000) can't exist."""
    value = str(request.path_params["course_id"])
    if not storable(value):
        raise ApiError(404, "course is not known: its id contains a NUL character")
    return value


def actor(request: Request) -> str:
    """Who acts, as audit rows name people: `admin:<token name>`."""
    return f"admin:{request.scope['state']['principal'].name}"
