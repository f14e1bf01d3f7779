"""The inbox rows a worker applies: take one locked, record its outcome or its failure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.adapters.postgres import Connection
from service.domain.queue_states import InboxStatus


@dataclass(frozen=True)
class InboxRow:
    id: int
    source: str
    event_type: str
    payload: Any
    attempts: int


def _id_list(ids: list[int]) -> str:
    """Ids as one text parameter: an array parameter costs asyncpg a type introspection
    (~5 ms) on every new connection, enough to let a later event overtake an earlier one."""
    return ",".join(str(inbox_id) for inbox_id in ids)


async def take_pending(conn: Connection, ids: list[int]) -> list[InboxRow]:
    """The pending rows among `ids`, locked until the transaction ends, in id order (so two
    takers never wait for each other in a cycle); rows done already or dead are left out."""
    rows = await conn.fetch(
        """
        SELECT id, source, event_type, payload, attempts FROM inbox
         WHERE id = ANY (string_to_array($1, ',')::bigint[]) AND status = $2
         ORDER BY id FOR UPDATE
        """,
        _id_list(ids),
        InboxStatus.PENDING,
    )
    return [InboxRow(*row) for row in rows]


async def mark_processed(conn: Connection, ids: list[int], status: InboxStatus) -> None:
    await conn.execute(
        """
        UPDATE inbox SET status = $2, processed_at = now(), attempts = attempts + 1
         WHERE id = ANY (string_to_array($1, ',')::bigint[])
        """,
        _id_list(ids),
        status,
    )


async def take_failed(conn: Connection, inbox_id: int, spends_attempt: bool) -> InboxRow | None:
    """The still pending row, locked, its attempts counted when the failure spends one."""
    row = await conn.fetchrow(
        """
        UPDATE inbox SET attempts = attempts + $2 WHERE id = $1 AND status = $3
        RETURNING source, event_type, payload, attempts
        """,
        inbox_id,
        int(spends_attempt),
        InboxStatus.PENDING,
    )
    return None if row is None else InboxRow(inbox_id, *row)
