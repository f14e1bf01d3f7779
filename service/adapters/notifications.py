"""Reading the notifications a person should see (sync failures, validation errors …)."""

from __future__ import annotations

from typing import Any

from service.adapters.postgres import Connection


async def list_recent(
    conn: Connection, *, kind: str | None, before_id: int | None, limit: int
) -> list[dict[str, Any]]:
    """Newest first; `before_id` is the keyset cursor."""
    rows = await conn.fetch(
        """
        SELECT id, kind, severity, subject, message, details, created_at
          FROM notifications
         WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR kind = $2)
         ORDER BY id DESC LIMIT $3
        """,
        before_id,
        kind,
        limit,
    )
    return [dict(r) for r in rows]
