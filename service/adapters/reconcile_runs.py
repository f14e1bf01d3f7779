"""Reconciliation bookkeeping in Postgres: runs, the daily re-add claims, the subscription watch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.adapters.postgres import Connection
from service.domain.reconcile import RunKind, RunStatus

_RUN_COLUMNS = "id, kind, status, drift, error, started_at, finished_at"


async def start_run(conn: Connection, kind: RunKind, scope: str | None) -> int:
    run_id: int = await conn.fetchval(
        "INSERT INTO reconcile_runs (kind, scope) VALUES ($1, $2) RETURNING id", kind, scope
    )
    return run_id


async def finish_run(
    conn: Connection,
    run_id: int,
    *,
    status: RunStatus,
    drift: Mapping[str, int],
    report: list[dict[str, Any]],
    error: str | None,
) -> None:
    await conn.execute(
        """
        UPDATE reconcile_runs SET status = $2, drift = $3, report = $4, error = $5,
                                  finished_at = now()
         WHERE id = $1
        """,
        run_id,
        status,
        dict(drift),
        report,
        error,
    )


async def list_runs(
    conn: Connection, *, kind: str | None, before_id: int | None, limit: int
) -> list[dict[str, Any]]:
    """The ops read, newest first (keyset by id); each with the number of its report's entries
    instead of the report."""
    rows = await conn.fetch(
        f"SELECT {_RUN_COLUMNS}, "  # noqa: S608 - constant SQL
        """
               jsonb_array_length(report) AS report_entries
          FROM reconcile_runs
         WHERE ($1::text IS NULL OR kind = $1) AND ($2::bigint IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $3
        """,
        kind,
        before_id,
        limit,
    )
    return [dict(row) for row in rows]


async def load_run(conn: Connection, run_id: int) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"SELECT {_RUN_COLUMNS}, report FROM reconcile_runs WHERE id = $1",  # noqa: S608
        run_id,
    )
    return dict(row) if row else None


async def synced_course_ids(conn: Connection) -> list[str]:
    """Courses kept in Zoom that have a live meeting, by id."""
    rows = await conn.fetch(
        """
        SELECT m.course_id FROM zoom_meetings m JOIN courses c ON c.id = m.course_id
         WHERE c.zoom_synced AND m.meeting_id IS NOT NULL AND m.deleted_at IS NULL
         ORDER BY m.course_id
        """
    )
    return [r["course_id"] for r in rows]


async def claim_readd(conn: Connection, booking_id: str) -> bool:
    """The booking's one re-add of the UTC day; False when it was claimed already."""
    claimed = await conn.fetchval(
        """
        INSERT INTO zoom_reconcile_readds (booking_id, day)
        VALUES ($1, (now() AT TIME ZONE 'UTC')::date)
        ON CONFLICT DO NOTHING RETURNING true
        """,
        booking_id,
    )
    return bool(claimed)


async def load_subscription_watch(conn: Connection, callback_url: str) -> Any:
    return await conn.fetchrow(
        "SELECT * FROM calendly_subscription_watch WHERE callback_url = $1", callback_url
    )


async def subscription_seen(conn: Connection, callback_url: str, uri: str, state: str) -> None:
    await conn.execute(
        """
        INSERT INTO calendly_subscription_watch
            (callback_url, subscription_uri, state, last_active_at, checked_at)
        VALUES ($1, $2, $3, now(), now())
        ON CONFLICT (callback_url) DO UPDATE
           SET subscription_uri = EXCLUDED.subscription_uri, state = EXCLUDED.state,
               last_active_at = now(), checked_at = now()
        """,
        callback_url,
        uri,
        state,
    )
