"""Scheduler slots: one row per (job, slot), so only one scheduler runs a slot."""

from __future__ import annotations

from datetime import datetime

import asyncpg


async def claim_slot(pool: asyncpg.Pool, job: str, slot: datetime, owner: str) -> bool:
    async with pool.acquire() as conn:
        claimed = await conn.fetchval(
            """
            INSERT INTO job_runs (job, slot, owner) VALUES ($1, $2, $3)
            ON CONFLICT DO NOTHING RETURNING true
            """,
            job,
            slot,
            owner,
        )
    return bool(claimed)


async def finish_slot(pool: asyncpg.Pool, job: str, slot: datetime, outcome: str) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE job_runs SET finished_at = now(), outcome = $3 WHERE job = $1 AND slot = $2",
            job,
            slot,
            outcome[:2000],
        )
