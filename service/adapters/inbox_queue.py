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


async def take_pending(conn: Connection, inbox_id: int) -> InboxRow | None:
    """The row locked until the transaction ends; None when done already or dead."""
    row = await conn.fetchrow(
        """
        SELECT source, event_type, payload, attempts FROM inbox
         WHERE id = $1 AND status = $2 FOR UPDATE
        """,
        inbox_id,
        InboxStatus.PENDING,
    )
    return None if row is None else InboxRow(inbox_id, *row)


async def mark_processed(conn: Connection, inbox_id: int, status: InboxStatus) -> None:
    await conn.execute(
        """
        UPDATE inbox SET status = $2, processed_at = now(), attempts = attempts + 1
         WHERE id = $1
        """,
        inbox_id,
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
