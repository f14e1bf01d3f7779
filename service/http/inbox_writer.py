"""Committing received events to the inbox, many requests per transaction.

A commit costs a WAL flush; one per request caps ingress at what the disk can flush. So
concurrent requests hand their event to one writer task, which inserts everything waiting in a
single statement and commits once; each request then answers with its own row's id. No request
is answered before its row is committed (CONTRACT §3), and the ids of new rows are sent to the
workers only after the commit (docs/architecture.md: "Redis is a courier").

When Postgres refuses a batch because of its data, each row is written again alone: the
row it refuses gets a 400 naming the cause, every other request its usual answer. A
Postgres that cannot be reached fails the whole batch with 503 (senders retry).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg

from service.adapters.broker import Courier
from service.http.errors import ApiError
from service.logs import get_logger

MAX_BATCH = 256
log = get_logger(__name__)

_INSERT = """
WITH incoming AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[])
             AS t(source, event_type, dedupe_key, payload, status, raw_body)
)
INSERT INTO inbox (source, event_type, dedupe_key, payload, status, raw_body)
SELECT source, event_type, dedupe_key, payload::jsonb, status, raw_body FROM incoming
ON CONFLICT (source, dedupe_key) DO NOTHING
RETURNING id, source, dedupe_key
"""

_EXISTING = """
SELECT id, source, dedupe_key FROM inbox
 WHERE (source, dedupe_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
"""


@dataclass(frozen=True)
class NewEvent:
    source: str
    event_type: str
    dedupe_key: str
    body: str  # the received JSON text, parsed once by the caller, storable as jsonb
    raw: bytes  # the body exactly as received
    handled: bool = True  # False: stored as 'ignored', never sent to a worker


@dataclass(frozen=True)
class Stored:
    id: int
    duplicate: bool


class InboxWriter:
    def __init__(self, pool: asyncpg.Pool, courier: Courier) -> None:
        self.pool = pool
        self.courier = courier
        self._waiting: asyncio.Queue[tuple[NewEvent, asyncio.Future[Stored]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._sends: set[asyncio.Task[bool]] = set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="inbox-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await asyncio.gather(*self._sends, return_exceptions=True)

    async def store(self, event: NewEvent) -> Stored:
        """Returns once the event is committed (or found to be a duplicate)."""
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        await self._waiting.put((event, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self._waiting.get()]
            while len(batch) < MAX_BATCH and not self._waiting.empty():
                batch.append(self._waiting.get_nowait())
            await self._commit(batch)

    async def _commit(self, batch: list[tuple[NewEvent, asyncio.Future[Stored]]]) -> None:
        try:
            results = await self._write([event for event, _ in batch])
        except Exception as error:
            if len(batch) > 1 and _refused_for_its_data(error):
                log.warning("inbox batch refused; writing it row by row", batch=len(batch))
                for item in batch:
                    await self._commit([item])
                return
            log.error("inbox write failed", error=repr(error), batch=len(batch))
            for _, future in batch:
                if not future.done():
                    future.set_exception(_answer_for(error))
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
        fresh = [
            r.id
            for (event, _), r in zip(batch, results, strict=True)
            if not r.duplicate and event.handled
        ]
        if fresh:
            send = asyncio.create_task(self.courier.send_inbox(fresh))
            self._sends.add(send)
            send.add_done_callback(self._sends.discard)

    async def _write(self, events: list[NewEvent]) -> list[Stored]:
        columns: list[list[str]] = [[], [], [], [], []]
        raws = [event.raw for event in events]
        for event in events:
            columns[0].append(event.source)
            columns[1].append(event.event_type)
            columns[2].append(event.dedupe_key)
            columns[3].append(event.body)
            columns[4].append("pending" if event.handled else "ignored")
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(_INSERT, *columns, raws)
            inserted = {(r["source"], r["dedupe_key"]): r["id"] for r in rows}
            missing = {(e.source, e.dedupe_key) for e in events} - inserted.keys()
            existing: dict[tuple[str, str], int] = {}
            if missing:  # duplicates: committed earlier (a new statement sees them)
                sources, keys = zip(*missing, strict=True)
                rows = await conn.fetch(_EXISTING, list(sources), list(keys))
                existing = {(r["source"], r["dedupe_key"]): r["id"] for r in rows}
        results: list[Stored] = []
        claimed: set[tuple[str, str]] = set()
        for event in events:
            key = (event.source, event.dedupe_key)
            if key in inserted and key not in claimed:
                claimed.add(key)  # the same key twice in one batch: the second is a duplicate
                results.append(Stored(inserted[key], duplicate=False))
            else:
                results.append(Stored(inserted.get(key) or existing[key], duplicate=True))
        return results


def _refused_for_its_data(error: Exception) -> bool:
    """Postgres (or asyncpg encoding a value) refused what was sent, not the connection."""
    if isinstance(error, asyncpg.PostgresError):
        return error.sqlstate[:2] in _DATA_CLASSES
    return isinstance(error, asyncpg.DataError | UnicodeError)


# SQLSTATE classes of refused data: data exception, integrity constraint violation,
# raise_exception (a trigger or check saying no).
_DATA_CLASSES = frozenset({"22", "23", "P0"})


def _answer_for(error: Exception) -> ApiError:
    if _refused_for_its_data(error):
        return ApiError(400, f"the event cannot be stored: {error}")
    return ApiError(503, "the event could not be committed; try again later")
