"""Calendly's pagination (facts §5.5): `count` 1-100, opaque `page_token`, and a `pagination`
object whose `next_page`/`previous_page` are full URLs carrying every query parameter."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request

from service.sandbox.calendly_errors import InvalidArgument

DEFAULT_COUNT = 20
MAX_COUNT = 100
_TOKEN_PREFIX = b"sandbox-offset:"

Item = TypeVar("Item")


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(_TOKEN_PREFIX + str(offset).encode()).decode().rstrip("=")


def _decode_token(token: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    offset = raw.removeprefix(_TOKEN_PREFIX)
    if raw == offset or not offset.isdigit():
        raise InvalidArgument("page_token", "is invalid")
    return int(offset)


def page_count(request: Request) -> int:
    raw = request.query_params.get("count", str(DEFAULT_COUNT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_COUNT:
        raise InvalidArgument("count", f"must be an integer between 1 and {MAX_COUNT}")
    return int(raw)


def paginate(
    request: Request,
    base_url: str,
    items: Sequence[Item],
    render: Callable[[Item], dict[str, Any]],
) -> dict[str, Any]:
    """One page of `items` (already filtered and sorted) as `{collection, pagination}`.

    Only the page is rendered, so listing 50 of 25,000 seeded invitees stays cheap.
    """
    count = page_count(request)
    token = request.query_params.get("page_token")
    offset = _decode_token(token) if token else 0
    has_next = offset + count < len(items)
    has_previous = offset > 0
    next_token = _encode_token(offset + count) if has_next else None
    previous_token = _encode_token(max(offset - count, 0)) if has_previous else None
    page = [render(item) for item in items[offset : offset + count]]
    return {
        "collection": page,
        "pagination": {
            "count": len(page),
            "next_page": _page_url(request, base_url, next_token),
            "previous_page": _page_url(request, base_url, previous_token),
            "next_page_token": next_token,
            "previous_page_token": previous_token,
        },
    }


def _page_url(request: Request, base_url: str, token: str | None) -> str | None:
    if token is None:
        return None
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page_token"]
    params.append(("page_token", token))
    return f"{base_url}{request.url.path}?{urlencode(params)}"
