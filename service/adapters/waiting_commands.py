"""Commands waiting in the outbox as the use cases see them: which subjects have work pending
or running, and a later start for commands that should fold a burst into one."""

from __future__ import annotations

from datetime import timedelta

from service.adapters.postgres import Connection


async def busy_subjects(conn: Connection, subjects: list[str]) -> set[str]:
    rows = await conn.fetch(
        """
        SELECT DISTINCT subject FROM outbox
         WHERE subject = ANY($1::text[]) AND status IN ('pending', 'in_flight')
        """,
        subjects,
    )
    return {r["subject"] for r in rows}


async def delay_commands(conn: Connection, outbox_ids: list[int], delay: timedelta) -> None:
    await conn.execute(
        "UPDATE outbox SET not_before = now() + $2 WHERE id = ANY($1::bigint[])",
        outbox_ids,
        delay,
    )
