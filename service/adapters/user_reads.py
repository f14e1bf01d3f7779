"""Finding teachers for admins: folded prefix search, and one user with the pipeline name."""

from __future__ import annotations

from typing import Any

from service.adapters.postgres import Connection
from service.domain.pipeline import PipelineStatus


def _like_prefix(folded: str) -> str:
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped}%"


async def search(
    conn: Connection, folded_query: str, after: tuple[str, str] | None, limit: int
) -> list[dict[str, Any]]:
    """Users with a word of name or email starting with the query (already folded).

    `search_key` is name and email folded (no case, no accents) and space-separated, so
    " " + key LIKE "% query%" is "some word starts with the query"; a query of several
    words matches consecutive words ("max must" finds "Max Mustermann").
    """
    rows = await conn.fetch(
        """
        SELECT id, name, email, role, pipeline_status, search_key
          FROM users
         WHERE (' ' || search_key) LIKE $1
           AND ($2::text IS NULL OR (search_key, id) > ($2, $3::text))
         ORDER BY search_key, id
         LIMIT $4
        """,
        _like_prefix(folded_query),
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    return [user_resource(dict(row)) for row in rows]


async def load(conn: Connection, user_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        """
        SELECT id, name, email, role, pipeline_status, created_at, updated_at,
               (SELECT count(*) FROM calendly_attendees a WHERE a.user_id = u.id)
                   AS attendee_count
          FROM users u WHERE id = $1
        """,
        user_id,
    )
    return user_resource(dict(row)) if row else None


async def exists(conn: Connection, user_id: str) -> bool:
    return bool(await conn.fetchval("SELECT true FROM users WHERE id = $1", user_id))


def user_resource(row: dict[str, Any]) -> dict[str, Any]:
    code = row.pop("pipeline_status")
    return {**row, "pipeline_status": PipelineStatus(code).api_name, "pipeline_status_code": code}


async def by_ids(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Name and pipeline status of each given user (to show who an attendee is linked to)."""
    rows = await conn.fetch(
        "SELECT id, name, email, role, pipeline_status FROM users WHERE id = ANY($1::text[])",
        ids,
    )
    return {row["id"]: user_resource(dict(row)) for row in rows}


async def teachers(conn: Connection, folded_query: str | None, limit: int) -> list[dict[str, Any]]:
    """Teachers by name (all, or those a search query matches, as in `search`)."""
    rows = await conn.fetch(
        """
        SELECT id, name, email, role, pipeline_status FROM users
         WHERE ($1::text IS NULL OR (' ' || search_key) LIKE $1)
         ORDER BY search_key, id LIMIT $2
        """,
        _like_prefix(folded_query) if folded_query else None,
        limit,
    )
    return [user_resource(dict(row)) for row in rows]


async def stage_counts(conn: Connection) -> dict[str, int]:
    """How many users are in each pipeline stage (every stage, zero included)."""
    rows = await conn.fetch("SELECT pipeline_status, count(*) AS n FROM users GROUP BY 1")
    counts = {status.api_name: 0 for status in PipelineStatus}
    for row in rows:
        counts[PipelineStatus(row["pipeline_status"]).api_name] = row["n"]
    return counts
