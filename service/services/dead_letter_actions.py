"""Replaying and discarding dead letters (CONTRACT §5 "Ops"): the ops API's and UI's actions.

A replay revives the letter's work item in Postgres and then hands it to a worker again.
"""

from __future__ import annotations

from typing import Any

from service.adapters import dead_letters
from service.adapters.dead_letters import Filter, Outcome, Resent
from service.api.runtime import ApiRuntime


async def _send(rt: ApiRuntime, resent: Resent) -> None:
    await rt.courier.send_inbox(resent.inbox)
    await rt.courier.send_outbox(resent.outbox)


async def replay_one(rt: ApiRuntime, letter_id: int, actor: str, *, dry_run: bool) -> Outcome:
    """Raises dead_letters.NotFound / AlreadyResolved."""
    async with rt.pool.acquire() as conn:
        outcome, resent = await dead_letters.replay(conn, letter_id, actor, dry_run=dry_run)
    await _send(rt, resent)
    return outcome


async def replay_matching(
    rt: ApiRuntime, where: Filter, actor: str, *, dry_run: bool
) -> list[Outcome]:
    async with rt.pool.acquire() as conn:
        outcomes, resent = await dead_letters.replay_matching(conn, where, actor, dry_run=dry_run)
    await _send(rt, resent)
    return outcomes


async def discard(rt: ApiRuntime, letter_id: int, actor: str, reason: str) -> dict[str, Any]:
    """Raises dead_letters.NotFound / AlreadyResolved."""
    async with rt.pool.acquire() as conn:
        return await dead_letters.discard(conn, letter_id, actor, reason)
