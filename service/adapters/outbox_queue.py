"""The outbox rows a worker executes: claim one under a lease, renew it, end the run."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from service.adapters.postgres import Connection
from service.domain.queue_states import OutboxStatus


async def take_pending(conn: Connection, outbox_id: int) -> Any:
    """The pending row locked until the transaction ends, with `due`; None when not pending."""
    return await conn.fetchrow(
        """
        SELECT id, command, subject, payload, cause, attempts, not_before <= now() AS due
          FROM outbox WHERE id = $1 AND status = $2 FOR UPDATE
        """,
        outbox_id,
        OutboxStatus.PENDING,
    )


async def subject_busy(conn: Connection, subject: str) -> bool:
    busy = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE subject = $1 AND status = $2)",
        subject,
        OutboxStatus.IN_FLIGHT,
    )
    return bool(busy)


async def postpone(conn: Connection, outbox_id: int, delay: timedelta) -> None:
    await conn.execute("UPDATE outbox SET not_before = now() + $2 WHERE id = $1", outbox_id, delay)


async def mark_in_flight(conn: Connection, outbox_id: int) -> uuid.UUID:
    """Start the run and its lease; the returned claim token identifies this run."""
    claim: uuid.UUID = await conn.fetchval(
        """
        UPDATE outbox SET status = $2, updated_at = now(), claim = gen_random_uuid()
         WHERE id = $1 RETURNING claim
        """,
        outbox_id,
        OutboxStatus.IN_FLIGHT,
    )
    return claim


async def renew_lease(conn: Connection, outbox_id: int, claim: uuid.UUID) -> bool:
    """False when the run is no longer ours (the relay took it back)."""
    status = await conn.execute(
        "UPDATE outbox SET updated_at = now() WHERE id = $1 AND status = $3 AND claim = $2",
        outbox_id,
        claim,
        OutboxStatus.IN_FLIGHT,
    )
    return not status.endswith(" 0")


async def mark_done(conn: Connection, outbox_id: int, claim: uuid.UUID) -> None:
    await conn.execute(
        """
        UPDATE outbox SET status = $3, last_error = NULL, updated_at = now()
         WHERE id = $1 AND status = $4 AND claim = $2
        """,
        outbox_id,
        claim,
        OutboxStatus.DONE,
        OutboxStatus.IN_FLIGHT,
    )


async def take_failed(
    conn: Connection, outbox_id: int, claim: uuid.UUID, spends_attempt: bool
) -> int | None:
    """The row's attempts (this failure counted if it spends one), the row locked; None when
    the run is no longer ours."""
    attempts: int | None = await conn.fetchval(
        """
        UPDATE outbox SET attempts = attempts + $3, updated_at = now()
         WHERE id = $1 AND status = $4 AND claim = $2 RETURNING attempts
        """,
        outbox_id,
        claim,
        int(spends_attempt),
        OutboxStatus.IN_FLIGHT,
    )
    return attempts


# An outbox command whose executor died mid-call (SIGKILL) stays in_flight; after the
# lease it goes back to pending (the executor looks the Zoom object up first), unless a
# newer command for the same subject waits already: that one will do the work.
_EXPIRE_LEASES = """
UPDATE outbox o
   SET status = CASE WHEN EXISTS (SELECT 1 FROM outbox p
                                   WHERE p.command = o.command AND p.subject = o.subject
                                     AND p.status = $2)
                     THEN $3 ELSE $2 END,
       last_error = 'lease expired: the executor stopped mid-call',
       not_before = now(), enqueued_at = NULL, updated_at = now()
 WHERE status = $4 AND updated_at < now() - make_interval(secs => $1)
"""


async def expire_leases(conn: Connection, lease_s: float) -> None:
    await conn.execute(
        _EXPIRE_LEASES,
        lease_s,
        OutboxStatus.PENDING,
        OutboxStatus.DONE,
        OutboxStatus.IN_FLIGHT,
    )
