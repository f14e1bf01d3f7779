"""Bookkeeping shared by inbox and outbox items: attempts, back-off and dead letters."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from service.adapters.postgres import Connection
from service.domain.queue_states import InboxStatus, OutboxStatus, Queue


async def record_attempt(
    conn: Connection, queue: Queue, ref_id: int, attempt: int, error: tuple[str, str]
) -> None:
    await conn.execute(
        """
        INSERT INTO work_attempts (source, ref_id, attempt, error_class, error_message)
        VALUES ($1, $2, $3, $4, $5)
        """,
        queue,
        ref_id,
        attempt,
        *error,
    )


_RETRY = {
    Queue.INBOX: """
        UPDATE inbox SET status = $4, not_before = $2, last_error = $3 WHERE id = $1
    """,
    # Outbox commands say "bring X in line": if a newer command for the same subject is
    # already waiting, it will do this one's work, and only one may wait per subject.
    Queue.OUTBOX: """
        UPDATE outbox o
           SET status = CASE WHEN EXISTS (SELECT 1 FROM outbox p
                                           WHERE p.command = o.command AND p.subject = o.subject
                                             AND p.status = $4 AND p.id <> o.id)
                             THEN $5 ELSE $4 END,
               not_before = $2, last_error = $3, updated_at = now()
         WHERE id = $1
    """,
}
_RETRY_STATES = {
    Queue.INBOX: (InboxStatus.PENDING,),
    Queue.OUTBOX: (OutboxStatus.PENDING, OutboxStatus.DONE),
}


async def schedule_retry(
    conn: Connection, queue: Queue, ref_id: int, not_before: datetime, error: str
) -> None:
    await conn.execute(_RETRY[queue], ref_id, not_before, error, *_RETRY_STATES[queue])


_BURY = {
    Queue.INBOX: "UPDATE inbox SET status = $3, last_error = $2 WHERE id = $1",
    Queue.OUTBOX: "UPDATE outbox SET status = $3, last_error = $2 WHERE id = $1",
}
_DEAD = {Queue.INBOX: InboxStatus.DEAD, Queue.OUTBOX: OutboxStatus.DEAD}


async def bury(
    conn: Connection,
    *,
    queue: Queue,
    ref_id: int,
    source: str,
    type_: str,
    error: tuple[str, str],
    attempts: int,
    payload: Any,
) -> int:
    """Mark the item dead and open a dead letter for it (one open letter per item).

    `queue` is where the item lives (inbox | outbox), `source` the system it came from or
    was meant for (calendly | booking | zoom).
    """
    await conn.execute(_BURY[queue], ref_id, f"{error[0]}: {error[1]}", _DEAD[queue])
    letter_id: int = await conn.fetchval(
        """
        INSERT INTO dead_letters
            (queue, ref_id, source, type, error_class, error_message, attempts, payload)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (queue, ref_id) WHERE status = 'open'  -- the partial index's own literal
        DO UPDATE SET error_class = EXCLUDED.error_class,
                      error_message = EXCLUDED.error_message,
                      attempts = EXCLUDED.attempts
        RETURNING id
        """,
        queue,
        ref_id,
        source,
        type_,
        *error,
        attempts,
        payload,
    )
    return letter_id


async def notify(
    conn: Connection,
    kind: str,
    message: str,
    *,
    subject: str | None = None,
    severity: str = "error",
    details: dict[str, Any] | None = None,
) -> None:
    await conn.execute(
        """
        INSERT INTO notifications (kind, severity, subject, message, details)
        VALUES ($1, $2, $3, $4, $5)
        """,
        kind,
        severity,
        subject,
        message,
        details or {},
    )


async def advisory_locks(conn: Connection, keys: list[str]) -> None:
    """Take the locks in the order given, in one round trip; held until the transaction
    ends (`UnitOfWork.lock`). The keys travel as one JSON text parameter (no array type
    for asyncpg to introspect); the function scan yields them in order, one lock after
    the other."""
    await conn.execute(
        """
        SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
          FROM jsonb_array_elements_text($1::text::jsonb) WITH ORDINALITY AS t(k, n)
         ORDER BY n
        """,
        json.dumps(keys),
    )


async def queue_command(
    conn: Connection,
    command: str,
    subject: str,
    payload: dict[str, Any],
    cause: dict[str, str],
) -> int | None:
    """A new pending outbox row's id; None when one is already pending for the subject."""
    outbox_id: int | None = await conn.fetchval(
        """
        INSERT INTO outbox (command, subject, payload, cause)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (command, subject) WHERE status = 'pending' DO NOTHING  -- the index's literal
        RETURNING id
        """,
        command,
        subject,
        payload,
        cause,
    )
    return outbox_id


# The literal 'pending' is the partial index's predicate (inbox_pending_idx, outbox_open_idx),
# which a parameter could not use.
_RESEND = """
UPDATE {table} SET enqueued_at = now()
 WHERE id IN (SELECT id FROM {table}
               WHERE status = 'pending'
                 AND not_before <= now() - make_interval(secs => $1)
                 AND (enqueued_at IS NULL OR enqueued_at < now() - make_interval(secs => $1))
               ORDER BY not_before LIMIT $2
               FOR UPDATE SKIP LOCKED)
RETURNING id
"""
_RESEND_BY_QUEUE = {queue: _RESEND.format(table=queue.value) for queue in Queue}


async def take_for_resend(conn: Connection, queue: Queue, grace_s: float, limit: int) -> list[int]:
    """Ids pending longer than `grace_s` and not sent within it; noted as sent now."""
    rows = await conn.fetch(_RESEND_BY_QUEUE[queue], grace_s, limit)
    return [row["id"] for row in rows]
