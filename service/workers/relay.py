"""The relay: re-send inbox and outbox rows that Redis lost
(docs/architecture.md: "Redis is a courier").

Ingress and handlers send ids right after commit; when that send fails (Redis down)
or Redis forgets (restarted empty, a worker SIGKILLed), rows stay pending in Postgres.
Every few seconds the relay sends again whatever has been pending longer than a grace
period and notes when, so it does not resend the same row on every tick.
"""

from __future__ import annotations

from service.workers.runtime import WorkerRuntime

BATCH = 500

_CLAIM = """
UPDATE {table} SET enqueued_at = now()
 WHERE id IN (SELECT id FROM {table}
               WHERE status = 'pending'
                 AND not_before <= now() - make_interval(secs => $1)
                 AND (enqueued_at IS NULL OR enqueued_at < now() - make_interval(secs => $1))
               ORDER BY not_before LIMIT $2
               FOR UPDATE SKIP LOCKED)
RETURNING id
"""

# An outbox command whose executor died mid-call (SIGKILL) stays in_flight; after the
# lease it goes back to pending (the executor looks the Zoom object up first), unless a
# newer command for the same subject waits already: that one will do the work.
_EXPIRE_LEASES = """
UPDATE outbox o
   SET status = CASE WHEN EXISTS (SELECT 1 FROM outbox p
                                   WHERE p.command = o.command AND p.subject = o.subject
                                     AND p.status = 'pending')
                     THEN 'done' ELSE 'pending' END,
       last_error = 'lease expired: the executor stopped mid-call',
       not_before = now(), enqueued_at = NULL, updated_at = now()
 WHERE status = 'in_flight' AND updated_at < now() - make_interval(secs => $1)
"""


async def relay_stuck_work(runtime: WorkerRuntime) -> dict[str, int]:
    settings = runtime.settings
    async with runtime.pool.acquire() as conn:
        await conn.execute(_EXPIRE_LEASES, settings.outbox_lease_seconds)
        grace = settings.relay_grace_seconds
        inbox = [r["id"] for r in await conn.fetch(_CLAIM.format(table="inbox"), grace, BATCH)]
        outbox = [r["id"] for r in await conn.fetch(_CLAIM.format(table="outbox"), grace, BATCH)]
    await runtime.courier.send_inbox(inbox)
    await runtime.courier.send_outbox(outbox)
    return {"inbox": len(inbox), "outbox": len(outbox)}
