"""Reconcile runs: one `reconcile_runs` row per run, with its drift counts and report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from service.adapters.calendly_errors import CalendlyError
from service.adapters.zoom import ZoomError
from service.logs import get_logger

log = get_logger(__name__)


class ReconcileNotPossible(Exception):
    """A setting is missing; the message names it."""


@dataclass
class Drift:
    counts: Counter[str] = field(default_factory=Counter)
    report: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: str, **entry: Any) -> None:
        self.counts[kind] += 1
        self.report.append({"kind": kind, **entry})


# -- runs ------------------------------------------------------------------------------------


async def _start_run(pool: asyncpg.Pool, kind: str, scope: str | None) -> int:
    async with pool.acquire() as conn:
        run_id: int = await conn.fetchval(
            "INSERT INTO reconcile_runs (kind, scope) VALUES ($1, $2) RETURNING id", kind, scope
        )
    return run_id


async def _finish_run(
    pool: asyncpg.Pool, run_id: int, drift: Drift, error: str | None = None
) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            """
            UPDATE reconcile_runs SET status = $2, drift = $3, report = $4, error = $5,
                                      finished_at = now()
             WHERE id = $1
            """,
            run_id,
            "failed" if error else "succeeded",
            dict(drift.counts),
            drift.report,
            error,
        )


Work = Callable[[int, Drift], Awaitable[None]]


async def recorded(
    pool: asyncpg.Pool, kind: str, scope: str | None, work: Work, *, reraise: bool = False
) -> dict[str, Any]:
    """Run `work(run_id, drift)` as one reconcile run; its failure is kept on the run.

    `reraise`: an outbox command lets the executor classify the failure (retry, defer, dead).
    """
    run_id = await _start_run(pool, kind, scope)
    drift = Drift()
    try:
        await work(run_id, drift)
    except (ReconcileNotPossible, CalendlyError, ZoomError) as error:
        await _finish_run(pool, run_id, drift, str(error))
        log.warning("reconciliation failed", kind=kind, run_id=run_id, error=str(error))
        if reraise:
            raise
        return {"run_id": run_id, "kind": kind, "status": "failed", "error": str(error)}
    except Exception as error:
        log.exception("reconciliation crashed", kind=kind, run_id=run_id)
        await _finish_run(pool, run_id, drift, f"{type(error).__name__}: {error}")
        raise
    await _finish_run(pool, run_id, drift)
    log.info("reconciliation finished", kind=kind, run_id=run_id, drift=dict(drift.counts))
    return {"run_id": run_id, "kind": kind, "status": "succeeded", "drift": dict(drift.counts)}
