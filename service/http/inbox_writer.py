"""Committing received events to the inbox, many requests per transaction.

A commit costs a WAL flush; one per request caps ingress at what the disk can flush. So
concurrent requests add their event to the open batch, and a committer task inserts the whole
batch in one statement (`service.adapters.inbox_ingest`); each request then answers with its
own row's id. No request is answered before its row is committed (CONTRACT §3), and the ids of
new rows are sent to the workers only after the commit (docs/architecture.md: "Redis is a
courier").

COMMITTERS tasks, each holding one connection of the ingress pool, take batches in turn: while
one batch waits for its commit the next one fills and goes to the other committer, so a request
waits for about one commit, not for the one in flight and then its own.

When Postgres refuses a batch because of its data, each row is written again alone: the
row it refuses gets a 400 naming the cause, every other request its usual answer. A
Postgres that cannot be reached fails the whole batch with 503 (senders retry).
"""

from __future__ import annotations

import asyncio
from collections import deque

import asyncpg

from service.adapters.broker import Courier
from service.adapters.inbox_ingest import Received, Stored, insert_received, refused_for_its_data
from service.adapters.postgres import Connection
from service.http.errors import ApiError
from service.logs import get_logger

MAX_BATCH = 256
COMMITTERS = 2
log = get_logger(__name__)

Outcome = Stored | ApiError


class _Batch:
    """Events waiting for one commit; one future answers all of them."""

    __slots__ = ("done", "events")

    def __init__(self) -> None:
        self.events: list[Received] = []
        self.done: asyncio.Future[list[Outcome]] = asyncio.get_running_loop().create_future()

    def answer(self, outcomes: list[Outcome]) -> None:
        if not self.done.done():
            self.done.set_result(outcomes)


class InboxWriter:
    def __init__(self, pool: asyncpg.Pool, courier: Courier) -> None:
        self.pool = pool
        self.courier = courier
        self._batches: deque[_Batch] = deque()  # oldest first; only the last one still fills
        self._arrived = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._unsent: list[int] = []  # committed ids the courier has not taken yet
        self._committed = asyncio.Event()

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._run(), name=f"inbox-committer-{n}") for n in range(COMMITTERS)
        ]
        self._tasks.append(asyncio.create_task(self._send(), name="inbox-courier"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._unsent:  # committed just before: sent now rather than by the relay later
            await self.courier.send_inbox(self._unsent)

    async def store(self, event: Received) -> Stored:
        """Returns once the event is committed (or found to be a duplicate)."""
        batches = self._batches
        if not batches or len(batches[-1].events) >= MAX_BATCH:
            batches.append(_Batch())
        batch = batches[-1]
        index = len(batch.events)
        batch.events.append(event)
        self._arrived.set()
        # Shielded: a request given up on must not cancel the answer of the whole batch.
        outcome = (await asyncio.shield(batch.done))[index]
        if isinstance(outcome, ApiError):
            raise outcome
        return outcome

    async def _next(self) -> _Batch:
        while not self._batches:
            self._arrived.clear()
            await self._arrived.wait()
        return self._batches.popleft()

    async def _run(self) -> None:
        batch = await self._next()
        while True:
            try:
                # Held, not borrowed per batch: a pool's release costs a round trip (reset).
                async with self.pool.acquire() as conn:
                    while True:
                        await self._commit(conn, batch)
                        batch = await self._next()
            except Exception as error:  # no connection, or it broke under this batch
                log.error("inbox write failed", error=repr(error), batch=len(batch.events))
                batch.answer([_answer_for(error) for _ in batch.events])
                batch = await self._next()

    async def _commit(self, conn: Connection, batch: _Batch) -> None:
        events = batch.events
        try:
            outcomes: list[Outcome] = list(await insert_received(conn, events))
        except Exception as error:
            if not refused_for_its_data(error):
                raise
            if len(events) > 1:
                log.warning("inbox batch refused; writing it row by row", batch=len(events))
            outcomes = [await _alone(conn, event) for event in events]
        batch.answer(outcomes)
        fresh = [
            o.id
            for event, o in zip(events, outcomes, strict=True)
            if isinstance(o, Stored) and not o.duplicate and event.handled
        ]
        if fresh:
            self._unsent += fresh
            self._committed.set()

    async def _send(self) -> None:
        """One send to Redis at a time, with every id committed meanwhile (fewer round trips)."""
        while True:
            await self._committed.wait()
            self._committed.clear()
            ids, self._unsent = self._unsent, []
            await self.courier.send_inbox(ids)


async def _alone(conn: Connection, event: Received) -> Outcome:
    try:
        return (await insert_received(conn, [event]))[0]
    except Exception as error:
        if refused_for_its_data(error):
            return _answer_for(error)
        raise


def _answer_for(error: Exception) -> ApiError:
    if refused_for_its_data(error):
        return ApiError(400, f"the event cannot be stored: {error}")
    return ApiError(503, "the event could not be committed; try again later")
