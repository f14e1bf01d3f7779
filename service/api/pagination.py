"""Keyset pagination for every list: {"items": […], "next_cursor": "…" | null}.

The cursor is the last id seen, opaque to callers (base64), so lists stay stable
while rows are added and cost the same on page 1 and page 1,000.
"""

from __future__ import annotations

from typing import Any

from service.http import keyset
from service.http.errors import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode_cursor(last_id: int) -> str:
    return keyset.encode(last_id)


def decode_cursor(cursor: str | None) -> int | None:
    values = keyset.decode(cursor, 1)
    if values is None:
        return None
    last_id = values[0]
    if isinstance(last_id, bool) or not isinstance(last_id, int) or not 0 < last_id < 2**63:
        raise ApiError(
            422, "invalid cursor", [{"field": "cursor", "problem": "not a cursor this API issued"}]
        )
    return last_id


def page(items: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    """`items` was fetched with limit + 1 rows, newest first by id."""
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": encode_cursor(items[-1]["id"]) if more else None}
