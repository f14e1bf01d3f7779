"""The relay: re-send inbox and outbox rows that Redis lost
(docs/architecture.md: "Redis is a courier").

Ingress and handlers send ids right after commit; when that send fails (Redis down)
or Redis forgets (restarted empty, a worker SIGKILLed), rows stay pending in Postgres.
Every few seconds the relay takes back outbox commands whose lease expired, then sends
again whatever has been pending longer than a grace period and notes when, so it does
not resend the same row on every tick.
"""

from __future__ import annotations

from service.adapters.outbox_queue import expire_leases
from service.adapters.work_items import take_for_resend
from service.domain.queue_states import Queue
from service.workers.runtime import WorkerRuntime

BATCH = 500


async def relay_stuck_work(runtime: WorkerRuntime) -> dict[str, int]:
    settings = runtime.settings
    grace = settings.relay_grace_seconds
    async with runtime.pool.acquire() as conn:
        await expire_leases(conn, settings.outbox_lease_seconds)
        inbox = await take_for_resend(conn, Queue.INBOX, grace, BATCH)
        outbox = await take_for_resend(conn, Queue.OUTBOX, grace, BATCH)
    await runtime.courier.send_inbox(inbox)
    await runtime.courier.send_outbox(outbox)
    return {"inbox": len(inbox), "outbox": len(outbox)}
