"""The ops reads of the inbox, newest first (keyset by id)."""

from __future__ import annotations

from typing import Any

from service.adapters.postgres import Connection

_INBOX_COLUMNS = """
id, source, event_type, dedupe_key, status, attempts, last_error, not_before, received_at,
enqueued_at, processed_at
"""


async def inbox_items(
    conn: Connection,
    *,
    status: str | None,
    source: str | None,
    event_type: str | None,
    before_id: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Without payloads: `inbox_item` shows one with its payload."""
    rows = await conn.fetch(
        f"SELECT {_INBOX_COLUMNS} FROM inbox "  # noqa: S608 - constant SQL
        """
         WHERE ($1::text IS NULL OR status = $1)
           AND ($2::text IS NULL OR source = $2)
           AND ($3::text IS NULL OR event_type = $3)
           AND ($4::bigint IS NULL OR id < $4)
         ORDER BY id DESC LIMIT $5
        """,
        status,
        source,
        event_type,
        before_id,
        limit,
    )
    return [dict(row) for row in rows]


async def inbox_item(conn: Connection, item_id: int) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"SELECT {_INBOX_COLUMNS}, payload FROM inbox WHERE id = $1",  # noqa: S608
        item_id,
    )
    return dict(row) if row else None
