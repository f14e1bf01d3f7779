"""Calendly sync jobs in Postgres: the `sync_jobs` row people poll, and `last_sync_time`.

The row is the job's whole story (queued → running → succeeded | failed, counts, the error
that says what to fix), so an admin's `GET /calendly/sync/{id}` needs nothing but Postgres.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.adapters.postgres import Connection
from service.domain.sync_jobs import JobStatus, SyncMode

CALENDLY = "calendly"
LAST_SYNC_KEY = "calendly.last_sync_time"


@dataclass(frozen=True)
class SyncRequest:
    """What to read from Calendly; `since` only with `SyncMode.SINCE`."""

    mode: SyncMode
    since: datetime | None = None


@dataclass
class SyncCounts:
    """`synced` = events read; `new` / `updated` = events stored anew / changed (with invitees)."""

    synced: int = 0
    new: int = 0
    updated: int = 0


async def create_job(conn: Connection, request: SyncRequest, requested_by: str) -> uuid.UUID:
    job_id = uuid.uuid4()
    await conn.execute(
        """
        INSERT INTO sync_jobs (id, kind, mode, since, requested_by)
        VALUES ($1, $2, $3, $4, $5)
        """,
        job_id,
        CALENDLY,
        request.mode,
        request.since,
        requested_by,
    )
    return job_id


async def start_job(conn: Connection, job_id: uuid.UUID) -> SyncRequest | None:
    """Mark a queued job running; None if it is unknown or already ran (a redelivered message)."""
    row = await conn.fetchrow(
        """
        UPDATE sync_jobs SET status = $2, started_at = now()
         WHERE id = $1 AND status = $3
        RETURNING mode, since
        """,
        job_id,
        JobStatus.RUNNING,
        JobStatus.QUEUED,
    )
    return SyncRequest(SyncMode(row["mode"]), row["since"]) if row else None


async def save_progress(conn: Connection, job_id: uuid.UUID, counts: SyncCounts) -> None:
    """Called inside each event's transaction, so the counts match exactly what is committed."""
    await conn.execute(
        "UPDATE sync_jobs SET synced = $2, new = $3, updated = $4 WHERE id = $1",
        job_id,
        counts.synced,
        counts.new,
        counts.updated,
    )


async def finish_job(conn: Connection, job_id: uuid.UUID, counts: SyncCounts) -> datetime:
    """Succeeded: store the counts and move `last_sync_time` forward (never back)."""
    finished: datetime = await conn.fetchval(
        """
        UPDATE sync_jobs SET status = $5, finished_at = now(),
               synced = $2, new = $3, updated = $4
         WHERE id = $1
        RETURNING finished_at
        """,
        job_id,
        counts.synced,
        counts.new,
        counts.updated,
        JobStatus.SUCCEEDED,
    )
    await conn.execute(
        """
        INSERT INTO sync_state (key, value) VALUES ($1, $2)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
         WHERE (sync_state.value ->> 'at')::timestamptz < (EXCLUDED.value ->> 'at')::timestamptz
        """,
        LAST_SYNC_KEY,
        {"at": finished.isoformat(), "job_id": str(job_id)},
    )
    return finished


async def fail_job(conn: Connection, job_id: uuid.UUID, error: str) -> None:
    await conn.execute(
        "UPDATE sync_jobs SET status = $3, finished_at = now(), error = $2 WHERE id = $1",
        job_id,
        error,
        JobStatus.FAILED,
    )


async def load_job(conn: Connection, job_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        """
        SELECT id, kind, mode, since, status, synced, new, updated, error, requested_by,
               created_at, started_at, finished_at
          FROM sync_jobs WHERE id = $1 AND kind = $2
        """,
        job_id,
        CALENDLY,
    )
    return dict(row) if row else None


async def last_sync(conn: Connection) -> dict[str, Any] | None:
    value: dict[str, Any] | None = await conn.fetchval(
        "SELECT value FROM sync_state WHERE key = $1", LAST_SYNC_KEY
    )
    return value
