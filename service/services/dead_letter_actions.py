"""Replaying and discarding dead letters (CONTRACT §5 "Ops"): the ops API's and UI's actions.

A replay revives the letter's work item in Postgres and then hands it to a worker again.
"""

from __future__ import annotations

from typing import Any

from service.adapters import dead_letters
from service.adapters.dead_letters import Filter, Outcome, Resent
from service.services.resources import Resources


async def _send(rt: Resources, resent: Resent) -> None:
    await rt.courier.send_inbox(resent.inbox)
    await rt.courier.send_outbox(resent.outbox)


async def replay_one(rt: Resources, letter_id: int, actor: str, *, dry_run: bool) -> Outcome:
    """Raises dead_letters.NotFound / AlreadyResolved."""
    async with rt.pool.acquire() as conn:
        outcome, resent = await dead_letters.replay(conn, letter_id, actor, dry_run=dry_run)
    await _send(rt, resent)
    return outcome


async def replay_matching(
    rt: Resources, where: Filter, actor: str, *, dry_run: bool
) -> list[Outcome]:
    async with rt.pool.acquire() as conn:
        outcomes, resent = await dead_letters.replay_matching(conn, where, actor, dry_run=dry_run)
    await _send(rt, resent)
    return outcomes


async def discard(rt: Resources, letter_id: int, actor: str, reason: str) -> dict[str, Any]:
    """Raises dead_letters.NotFound / AlreadyResolved."""
    async with rt.pool.acquire() as conn:
        return await dead_letters.discard(conn, letter_id, actor, reason)


def summary(outcomes: list[Outcome], *, dry_run: bool) -> dict[str, Any]:
    """Counts by result plus each letter, so a dry run says exactly what a real run would do."""
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.result] = counts.get(outcome.result, 0) + 1
    return {
        "dry_run": dry_run,
        "matched": len(outcomes),
        "results": counts,
        "items": [outcome.as_json() for outcome in outcomes],
    }
