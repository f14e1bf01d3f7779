"""The Dramatiq broker on Redis, and sending work to it.

Messages carry only row ids (inbox or outbox): Postgres holds the truth, Redis is a
courier. Sending is blocking I/O, so async callers go through `Courier`, which runs
it on a thread and never lets a Redis failure escape — the relay re-sends what the
courier could not deliver.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO

from service.logs import get_logger

INBOX_QUEUE = "inbox"
OUTBOX_QUEUE = "outbox"
JOBS_QUEUE = "jobs"
PROCESS_INBOX = "process_inbox"
EXECUTE_OUTBOX = "execute_outbox"
RUN_JOB = "run_job"

# Ids committed together travel together: one Redis round trip per batch, not per event.
INBOX_IDS_PER_MESSAGE = 32

# A SIGKILLed worker's messages return once its heartbeat is this old (ms) and a
# maintenance pass runs; Dramatiq's defaults (60 s, 0.1 % of commands) mean minutes.
HEARTBEAT_TIMEOUT_MS = 5_000
MAINTENANCE_CHANCE = 100_000  # out of 1,000,000 Redis commands: every tenth

log = get_logger(__name__)


def create_broker(redis_url: str, key_prefix: str) -> RedisBroker:
    broker = RedisBroker(  # type: ignore[no-untyped-call]
        url=redis_url,
        namespace=f"{key_prefix}:dramatiq",
        heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
        maintenance_chance=MAINTENANCE_CHANCE,
    )
    broker.add_middleware(AsyncIO())
    for queue in (INBOX_QUEUE, OUTBOX_QUEUE, JOBS_QUEUE):
        broker.declare_queue(queue)
    return broker


def _message(queue: str, actor: str, *args: object) -> dramatiq.Message[object]:
    return dramatiq.Message(queue_name=queue, actor_name=actor, args=args, kwargs={}, options={})


class Courier:
    """Sends ids to the workers from async code; failures are logged, not raised."""

    def __init__(self, broker: RedisBroker) -> None:
        self.broker = broker

    async def send_inbox(self, ids: Iterable[int]) -> bool:
        pending = list(ids)
        step = INBOX_IDS_PER_MESSAGE
        batches: list[tuple[object, ...]] = [
            (pending[i : i + step],) for i in range(0, len(pending), step)
        ]
        return await self._send(INBOX_QUEUE, PROCESS_INBOX, batches)

    async def send_inbox_later(self, inbox_id: int, delay_ms: int) -> bool:
        return await self._send(INBOX_QUEUE, PROCESS_INBOX, [([inbox_id],)], delay_ms)

    async def send_outbox(self, ids: Iterable[int], delay_ms: int | None = None) -> bool:
        return await self._send(OUTBOX_QUEUE, EXECUTE_OUTBOX, [(i,) for i in ids], delay_ms)

    async def send_job(self, name: str, arguments: dict[str, object]) -> bool:
        return await self._send(JOBS_QUEUE, RUN_JOB, [(name, arguments)])

    async def _send(
        self,
        queue: str,
        actor: str,
        argument_lists: list[tuple[object, ...]],
        delay_ms: int | None = None,
    ) -> bool:
        if not argument_lists:
            return True
        try:
            await asyncio.to_thread(self._send_blocking, queue, actor, argument_lists, delay_ms)
        except Exception as error:  # Redis down or slow: the caller's row in Postgres decides
            log.warning("enqueue failed", queue=queue, error=repr(error))
            return False
        return True

    def _send_blocking(
        self,
        queue: str,
        actor: str,
        argument_lists: list[tuple[object, ...]],
        delay_ms: int | None,
    ) -> None:
        for arguments in argument_lists:
            self.broker.enqueue(_message(queue, actor, *arguments), delay=delay_ms)
