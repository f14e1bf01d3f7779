"""Deleting what is kept only for a while (docs/operations.md "Retention").

Each statement deletes at most `limit` rows older than `days` days; the caller repeats it
until a batch comes back short, so no run holds long locks or one huge transaction.
"""

from __future__ import annotations

from enum import StrEnum

from service.adapters.postgres import Connection


class Pruned(StrEnum):
    INTEGRATION_LOG = "integration_log"
    JOB_RUNS = "job_runs"
    INBOX = "inbox"
    DEAD_LETTERS = "dead_letters"
    WORK_ATTEMPTS = "work_attempts"


_STATEMENTS = {
    Pruned.INTEGRATION_LOG: """
        DELETE FROM integration_log WHERE id IN (
            SELECT id FROM integration_log WHERE at < now() - make_interval(days => $1) LIMIT $2)
    """,
    Pruned.JOB_RUNS: """
        DELETE FROM job_runs WHERE (job, slot) IN (
            SELECT job, slot FROM job_runs
             WHERE slot < now() - make_interval(days => $1) AND finished_at IS NOT NULL LIMIT $2)
    """,
    # Received events (their payloads are personal data) once handled; a dead one only
    # when no open dead letter still needs it for a replay.
    Pruned.INBOX: """
        DELETE FROM inbox WHERE id IN (
            SELECT i.id FROM inbox i
             WHERE i.received_at < now() - make_interval(days => $1)
               AND i.status IN ('done', 'ignored', 'dead')
               AND NOT EXISTS (SELECT 1 FROM dead_letters d
                                WHERE d.queue = 'inbox' AND d.ref_id = i.id AND d.status = 'open')
             LIMIT $2)
    """,
    # Resolved letters (replayed or discarded) with their audit trail; open ones wait for ops.
    Pruned.DEAD_LETTERS: """
        WITH old AS (
            SELECT id FROM dead_letters
             WHERE status <> 'open' AND resolved_at < now() - make_interval(days => $1)
             LIMIT $2),
        actions AS (DELETE FROM dead_letter_actions WHERE dead_letter_id IN (SELECT id FROM old))
        DELETE FROM dead_letters WHERE id IN (SELECT id FROM old)
    """,
    Pruned.WORK_ATTEMPTS: """
        DELETE FROM work_attempts WHERE id IN (
            SELECT id FROM work_attempts WHERE at < now() - make_interval(days => $1) LIMIT $2)
    """,
}


async def prune_batch(conn: Connection, what: Pruned, days: int, limit: int) -> int:
    """Delete up to `limit` rows of `what` older than `days`; returns how many went."""
    status = await conn.execute(_STATEMENTS[what], days, limit)
    return int(status.split()[-1])
