"""The Calendly re-read: the last 30 days (or since deliveries stopped) through the sync."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from service.adapters.sync_jobs import SyncRequest
from service.domain.reconcile import Drift, DriftKind, RunKind
from service.domain.sync_jobs import JobStatus, SyncMode
from service.services.calendly_subscription import Action, SubscriptionCheck, ensure_subscription
from service.services.calendly_sync import RECENT_WINDOW, request_sync, run_sync
from service.services.reconcile_runs import ReconcileNotPossible, recorded
from service.services.resources import JobResources


async def reconcile_calendly(
    rt: JobResources, *, repaired: SubscriptionCheck | None = None
) -> dict[str, Any]:
    pool, settings = rt.pool, rt.settings

    async def work(run_id: int, drift: Drift) -> None:
        check = repaired or await ensure_subscription(pool, settings)
        if check.action is not Action.NONE:
            drift.add(DriftKind.SUBSCRIPTION_REPAIRED, **check.as_json())
        since = datetime.now(UTC) - RECENT_WINDOW
        if check.stopped_at is not None:
            since = min(since, check.stopped_at)
        job_id = await request_sync(pool, SyncRequest(SyncMode.SINCE, since), f"reconcile:{run_id}")
        outcome = await run_sync(pool, settings, job_id, rt.courier)
        if outcome is None or outcome.status is not JobStatus.SUCCEEDED:
            error = outcome.error if outcome else "the sync job did not run"
            raise ReconcileNotPossible(f"the Calendly re-read failed: {error}")
        counts = outcome.counts
        drift.counts[DriftKind.NEW_EVENTS] += counts.new
        drift.counts[DriftKind.UPDATED_EVENTS] += counts.updated
        drift.report.append(
            {
                "kind": "calendly_reread",
                "job_id": str(job_id),
                "since": since.isoformat(),
                "synced": counts.synced,
                "new": counts.new,
                "updated": counts.updated,
            }
        )

    return await recorded(pool, RunKind.CALENDLY, None, work)
