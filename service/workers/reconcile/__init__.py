"""Reconciliation as worker jobs: the nightly run and the hourly subscription watch are queued
by the scheduler and run by a worker (the runs themselves: `service/services/reconcile.py`)."""

from __future__ import annotations

from service.services.reconcile import reconcile, watch_subscription
from service.workers.runtime import WorkerRuntime

JOB_NAME = "reconcile"


async def reconcile_job(runtime: WorkerRuntime, arguments: dict[str, object]) -> object:
    """The `reconcile` job: `{"target": "calendly"|"zoom"|"all"|"calendly_subscription"}`."""
    target = str(arguments.get("target", "all"))
    if target == "calendly_subscription":
        return await watch_subscription(runtime)
    return await reconcile(runtime, target)


async def nightly_reconcile(runtime: WorkerRuntime) -> str:
    """Scheduled: the full run goes to a worker, so the scheduler's loop (and the relay on it)
    never waits for Calendly or Zoom. A lost message costs one night; the run rows show it."""
    sent = await runtime.courier.send_job(JOB_NAME, {"target": "all"})
    return "queued" if sent else "failed to queue (Redis unavailable)"


async def hourly_subscription_watch(runtime: WorkerRuntime) -> str:
    """Scheduled: Calendly disables a failing subscription silently; notice within the hour."""
    if not runtime.settings.calendly_configured:
        return "skipped: CALENDLY_API_TOKEN is not set"
    sent = await runtime.courier.send_job(JOB_NAME, {"target": "calendly_subscription"})
    return "queued" if sent else "failed to queue (Redis unavailable)"
