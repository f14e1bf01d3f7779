"""Retention: the integration log, scheduler slots, personal data and ended web UI sessions
do not grow forever.

Deleted in small batches, each its own statement, so a large backlog (the first run after
an upgrade) never holds long locks or one huge transaction that ingress would wait on.
How long each is kept is configuration (README, docs/operations.md "Retention").
"""

from __future__ import annotations

from service.adapters import ui_sessions
from service.adapters.retention import Pruned, prune_batch
from service.workers.runtime import WorkerRuntime

BATCH = 5_000
JOB_RUNS_KEEP_DAYS = 7  # the relay claims a slot every 5 s; a week is plenty to look back on


async def prune_old_records(runtime: WorkerRuntime) -> dict[str, int]:
    settings = runtime.settings
    keep_days = {
        Pruned.INTEGRATION_LOG: settings.integration_log_retention_days,
        Pruned.JOB_RUNS: JOB_RUNS_KEEP_DAYS,
        Pruned.INBOX: settings.inbox_retention_days,
        Pruned.DEAD_LETTERS: settings.dead_letter_retention_days,
        Pruned.WORK_ATTEMPTS: settings.work_attempt_retention_days,
    }
    pruned = {what.value: await _prune(runtime, what, days) for what, days in keep_days.items()}
    async with runtime.pool.acquire() as conn:
        pruned["ui_sessions_and_links"] = await ui_sessions.prune(conn)
    return pruned


async def _prune(runtime: WorkerRuntime, what: Pruned, days: int) -> int:
    total = 0
    while True:
        async with runtime.pool.acquire() as conn:
            deleted = await prune_batch(conn, what, days, BATCH)
        total += deleted
        if deleted < BATCH:
            return total
