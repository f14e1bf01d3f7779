"""The integration log: every outbound vendor call, for ops (`GET /api/v1/ops/integration-log`)."""

from __future__ import annotations

import asyncpg

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
