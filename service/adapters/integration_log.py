"""The integration log: every outbound vendor call, for ops (`GET /api/v1/ops/integration-log`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from service.adapters.postgres import Connection
from service.adapters.vendor_calls import VendorCall


class PostgresCallRecorder:
    """A `CallRecorder` writing one `integration_log` row per call, in its own short statement.

    Not inside the caller's transaction on purpose: the log must keep the calls of work that
    later rolls back or dies. A `VendorCall` holds no token (paths and causes only), so nothing
    secret reaches the table.
    """

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def record(self, call: VendorCall) -> None:
        async with self._pool.acquire() as conn:
            await conn.execute(
                """
                WITH logged AS (
                    INSERT INTO integration_log
                        (system, method, path, status, vendor_code, vendor_message, error,
                         duration_ms, cause)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                )
                INSERT INTO vendor_call_counts AS c (system, status, calls)
                VALUES ($1, coalesce($4::integer::text, 'none'), 1)
                ON CONFLICT (system, status) DO UPDATE SET calls = c.calls + 1
                """,
                call.system,
                call.method,
                call.path,
                call.status,
                call.vendor_code,
                call.vendor_message,
                call.error,
                call.duration_ms,
                call.cause,
            )


@dataclass(frozen=True)
class LogFilter:
    system: str | None = None
    status: int | None = None  # exact HTTP status
    status_class: int | None = None  # 4 for 4xx
    no_answer: bool = False  # timeouts and connection errors
    course_id: str | None = None
    booking_id: str | None = None
    since: datetime | None = None


async def list_calls(
    conn: Connection, where: LogFilter, *, before_id: int | None, limit: int
) -> list[dict[str, Any]]:
    """Newest first; `before_id` is the keyset cursor."""
    rows = await conn.fetch(
        """
        SELECT id, at, system, method, path, status, vendor_code, vendor_message, error,
               duration_ms, cause
          FROM integration_log
         WHERE ($1::text IS NULL OR system = $1)
           AND ($2::int IS NULL OR status = $2)
           AND ($3::int IS NULL OR status / 100 = $3)
           AND (NOT $4::bool OR status IS NULL)
           AND ($5::text IS NULL OR cause ->> 'course_id' = $5)
           AND ($6::text IS NULL OR cause ->> 'booking_id' = $6)
           AND ($7::timestamptz IS NULL OR at >= $7)
           AND ($8::bigint IS NULL OR id < $8)
         ORDER BY id DESC LIMIT $9
        """,
        where.system,
        where.status,
        where.status_class,
        where.no_answer,
        where.course_id,
        where.booking_id,
        where.since,
        before_id,
        limit,
    )
    return [dict(r) for r in rows]
