"""Reconcile runs, the bookkeeping use case: one `reconcile_runs` row per run, with its drift
counts and report, and its failure kept on it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from service.adapters import reconcile_runs as runs
from service.adapters.calendly_errors import CalendlyError
from service.adapters.zoom import ZoomError
from service.domain.reconcile import Drift, RunKind, RunStatus
from service.logs import get_logger

log = get_logger(__name__)


class ReconcileNotPossible(Exception):
    """A setting is missing; the message names it."""


async def _finish_run(
    pool: asyncpg.Pool, run_id: int, drift: Drift, error: str | None = None
) -> None:
    status = RunStatus.FAILED if error else RunStatus.SUCCEEDED
    async with pool.acquire() as conn:
        await runs.finish_run(
            conn, run_id, status=status, drift=drift.counts, report=drift.report, error=error
        )


Work = Callable[[int, Drift], Awaitable[None]]


async def recorded(
    pool: asyncpg.Pool, kind: RunKind, scope: str | None, work: Work, *, reraise: bool = False
) -> dict[str, Any]:
    """Run `work(run_id, drift)` as one reconcile run; its failure is kept on the run.

    `reraise`: an outbox command lets the executor classify the failure (retry, defer, dead).
    """
    async with pool.acquire() as conn:
        run_id = await runs.start_run(conn, kind, scope)
    drift = Drift()
    try:
        await work(run_id, drift)
    except (ReconcileNotPossible, CalendlyError, ZoomError) as error:
        await _finish_run(pool, run_id, drift, str(error))
        log.warning("reconciliation failed", kind=kind, run_id=run_id, error=str(error))
        if reraise:
            raise
        return {"run_id": run_id, "kind": kind, "status": RunStatus.FAILED, "error": str(error)}
    except Exception as error:
        log.exception("reconciliation crashed", kind=kind, run_id=run_id)
        await _finish_run(pool, run_id, drift, f"{type(error).__name__}: {error}")
        raise
    await _finish_run(pool, run_id, drift)
    log.info("reconciliation finished", kind=kind, run_id=run_id, drift=dict(drift.counts))
    return {
        "run_id": run_id,
        "kind": kind,
        "status": RunStatus.SUCCEEDED,
        "drift": dict(drift.counts),
    }
