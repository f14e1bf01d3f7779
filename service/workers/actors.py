"""The Dramatiq actors: thin shells that hand an id to the code that does the work.

Dramatiq's own retries are off (max_retries=0): attempts, back-off and dead letters
live in Postgres (service/domain/failure_policy.py), where they survive Redis and ops
can read them.
"""

from __future__ import annotations

from dataclasses import dataclass

import dramatiq
from dramatiq.actor import ActorDecorator
from dramatiq.brokers.redis import RedisBroker

from service.adapters.broker import (
    EXECUTE_OUTBOX,
    INBOX_QUEUE,
    JOBS_QUEUE,
    OUTBOX_QUEUE,
    PROCESS_INBOX,
    RUN_JOB,
)
from service.workers.attendance_import import attendance_commands
from service.workers.calendly_zoom import calendly_zoom_commands
from service.workers.handlers import inbox_handlers
from service.workers.inbox import process_inbox_items
from service.workers.jobs import run_named_job
from service.workers.no_shows import no_show_commands
from service.workers.outbox import CommandRegistry, execute_outbox_item
from service.workers.reconcile.zoom import reconcile_commands
from service.workers.runtime import LazyRuntime
from service.workers.zoom_commands import zoom_commands

TIME_LIMIT_MS = 10 * 60 * 1000


@dataclass(frozen=True)
class Actors:
    process_inbox: dramatiq.Actor[[list[int]], object]
    run_job: dramatiq.Actor[[str, dict[str, object]], object]
    execute_outbox: dramatiq.Actor[[int], object]


def declare_actors(broker: RedisBroker, runtime: LazyRuntime) -> Actors:
    handlers = inbox_handlers()
    commands = CommandRegistry("outbox command").register_all(
        [
            zoom_commands(),
            reconcile_commands(),
            calendly_zoom_commands(),
            attendance_commands(),
            no_show_commands(),
        ]
    )

    async def process_inbox(inbox_ids: list[int]) -> None:
        await process_inbox_items(await runtime.get(), handlers, inbox_ids)

    async def run_job(name: str, arguments: dict[str, object]) -> None:
        await run_named_job(await runtime.get(), name, arguments)

    async def execute_outbox(outbox_id: int) -> None:
        await execute_outbox_item(await runtime.get(), commands, outbox_id)

    def declare(actor_name: str, queue_name: str) -> ActorDecorator:
        return dramatiq.actor(
            actor_name=actor_name,
            queue_name=queue_name,
            broker=broker,
            max_retries=0,
            time_limit=TIME_LIMIT_MS,
        )

    return Actors(
        process_inbox=declare(PROCESS_INBOX, INBOX_QUEUE)(process_inbox),
        run_job=declare(RUN_JOB, JOBS_QUEUE)(run_job),
        execute_outbox=declare(EXECUTE_OUTBOX, OUTBOX_QUEUE)(execute_outbox),
    )
