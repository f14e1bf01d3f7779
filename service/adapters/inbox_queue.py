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


async def take_pending(conn: Connection, ids: list[int]) -> list[InboxRow]:
    """The pending rows among `ids`, locked until the transaction ends, in id order (so two
    takers never wait for each other in a cycle); rows done already or dead are left out."""
    rows = await conn.fetch(
        """
        SELECT id, source, event_type, payload, attempts FROM inbox
         WHERE id = ANY($1::bigint[]) AND status = $2 ORDER BY id FOR UPDATE
        """,
        ids,
        InboxStatus.PENDING,
    )
    return [InboxRow(*row) for row in rows]


async def mark_processed(conn: Connection, outcomes: list[tuple[int, InboxStatus]]) -> None:
    """Each (id, done | ignored), one statement for all."""
    await conn.execute(
        """
        UPDATE inbox SET status = o.status, processed_at = now(), attempts = inbox.attempts + 1
          FROM unnest($1::bigint[], $2::text[]) AS o (id, status)
         WHERE inbox.id = o.id
        """,
        [inbox_id for inbox_id, _ in outcomes],
        [status for _, status in outcomes],
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
