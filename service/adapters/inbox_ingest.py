"""The inbox's write side for ingress: many received events in one INSERT, duplicates found.

One statement per batch; the caller holds the connection and the transaction is the
statement's own (autocommit), so the batch is committed when `insert_received` returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from service.adapters.postgres import Connection

_INSERT = """
INSERT INTO inbox (source, event_type, dedupe_key, payload, status, raw_body)
SELECT source, event_type, dedupe_key, payload::jsonb, status, raw_body
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[])
       AS t(source, event_type, dedupe_key, payload, status, raw_body)
ON CONFLICT (source, dedupe_key) DO NOTHING
RETURNING id, source, dedupe_key
"""

_EXISTING = """
SELECT id, source, dedupe_key FROM inbox
 WHERE (source, dedupe_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
"""

Key = tuple[str, str]  # (source, dedupe_key): what makes an inbox row unique


@dataclass(frozen=True)
class Received:
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


async def insert_received(conn: Connection, events: list[Received]) -> list[Stored]:
    """Each event's row: new, or the one committed earlier under its key (a duplicate).

    The same key twice in one batch: the first is new, the second its duplicate.
    """
    rows = await conn.fetch(
        _INSERT,
        [e.source for e in events],
        [e.event_type for e in events],
        [e.dedupe_key for e in events],
        [e.body for e in events],
        ["pending" if e.handled else "ignored" for e in events],
        [e.raw for e in events],
    )
    inserted: dict[Key, int] = {(r[1], r[2]): r[0] for r in rows}
    existing: dict[Key, int] = {}
    if len(inserted) < len(events):
        missing = {(e.source, e.dedupe_key) for e in events} - inserted.keys()
        if missing:  # committed earlier: a new statement sees them
            sources, keys = zip(*missing, strict=True)
            found = await conn.fetch(_EXISTING, list(sources), list(keys))
            existing = {(r[1], r[2]): r[0] for r in found}
    results: list[Stored] = []
    for event in events:
        key = (event.source, event.dedupe_key)
        new_id = inserted.pop(key, None)
        if new_id is not None:
            existing[key] = new_id  # a second event with this key is its duplicate
            results.append(Stored(new_id, duplicate=False))
        else:
            results.append(Stored(existing[key], duplicate=True))
    return results


def refused_for_its_data(error: Exception) -> bool:
    """Postgres (or asyncpg encoding a value) refused what was sent, not the connection."""
    if isinstance(error, asyncpg.PostgresError):
        return error.sqlstate[:2] in _DATA_CLASSES
    return isinstance(error, asyncpg.DataError | UnicodeError)


# SQLSTATE classes of refused data: data exception, integrity constraint violation,
# raise_exception (a trigger or check saying no).
_DATA_CLASSES = frozenset({"22", "23", "P0"})
