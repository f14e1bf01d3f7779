"""Retention: the integration log, the scheduler's slot claims and ended web UI sessions
do not grow forever.

Deleted in small batches, each its own statement, so a large backlog (the first run after
an upgrade) never holds long locks or one huge transaction that ingress would wait on.
"""

from __future__ import annotations

from service.adapters import ui_sessions
from service.workers.runtime import WorkerRuntime

BATCH = 5_000
JOB_RUNS_KEEP_DAYS = 7  # the relay claims a slot every 5 s; a week is plenty to look back on

_PRUNE_LOG = """
DELETE FROM integration_log WHERE id IN (
    SELECT id FROM integration_log WHERE at < now() - make_interval(days => $1) LIMIT $2)
"""
_PRUNE_JOB_RUNS = """
DELETE FROM job_runs WHERE (job, slot) IN (
    SELECT job, slot FROM job_runs
     WHERE slot < now() - make_interval(days => $1) AND finished_at IS NOT NULL LIMIT $2)
"""


async def prune_old_records(runtime: WorkerRuntime) -> dict[str, int]:
    """Integration-log rows older than INTEGRATION_LOG_RETENTION_DAYS; finished job slots
    older than a week; web UI sessions and sign-in links that can no longer be used."""
    days = runtime.settings.integration_log_retention_days
    async with runtime.pool.acquire() as conn:
        ended_ui_sessions = await ui_sessions.prune(conn)
    return {
        "integration_log": await _prune(runtime, _PRUNE_LOG, days),
        "job_runs": await _prune(runtime, _PRUNE_JOB_RUNS, JOB_RUNS_KEEP_DAYS),
        "ui_sessions_and_links": ended_ui_sessions,
    }


async def _prune(runtime: WorkerRuntime, statement: str, days: int) -> int:
    total = 0
    while True:
        async with runtime.pool.acquire() as conn:
            status = await conn.execute(statement, days, BATCH)
        deleted = int(status.split()[-1])
        total += deleted
        if deleted < BATCH:
            return total
