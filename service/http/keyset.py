"""Keyset cursors over a sort key plus id, for lists not ordered by id alone.

`service.api.pagination` covers id-ordered lists; events (by start time) and users (by name)
need the sort value in the cursor too. The cursor is opaque (base64 JSON) and stable while
rows are added.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from service.http.errors import ApiError


def encode(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, arity: int) -> list[Any] | None:
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != arity
        or any(isinstance(v, str) and "\x00" in v for v in values)
    ):
        raise ApiError(
            422, "invalid cursor", [{"field": "cursor", "problem": "not a cursor this API issued"}]
        )
    return values


def after_time_and_id(cursor: str | None) -> tuple[datetime, int] | None:
    """The `cursor` of a list ordered by a time, then id (events, upcoming webinars)."""
    values = decode(cursor, 2)
    if values is None:
        return None
    try:
        return datetime.fromisoformat(str(values[0])), int(values[1])
    except (TypeError, ValueError):
        raise ApiError(
            422, "invalid cursor", [{"field": "cursor", "problem": "not a cursor this API issued"}]
        ) from None
