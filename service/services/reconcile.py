"""Reconciliation: re-read Calendly and Zoom, repair drift, and write down what was found.

Webhooks get lost (Calendly silently disables a subscription after 24 h of failures; Zoom drops
an event after three retries) and people change Zoom by hand. So every night, and for one course
whenever Zoom tells us something about its meeting, the service compares the vendors with its own
truth and repairs the difference through the same paths normal work takes:

- Calendly: the subscription watchdog first (a disabled or vanished subscription is deleted and
  created again, ops are notified, and Calendly is re-read from when deliveries stopped), then the
  REST re-read of the last 30 days (both statuses, with invitees) through `apply_*_reading`, the
  merge webhooks use. Drift = events stored anew or changed by that re-read.
- Zoom: for each synced course, every registrant (approved, pending, denied; every page) against
  the bookings. A confirmed booking with no approved registrant, or a cancelled booking still
  approved, is written into our view of Zoom as it really is, and the course decision queues the
  same registrant command a booking event would. A registrant no booking explains is reported,
  never deleted (a host may have invited a guest). Re-adds respect Zoom's 3 adds per registrant
  and day: the reconciler re-adds one booking at most once per UTC day.

Each run is a `reconcile_runs` row: drift counts (the `webinar_sync_reconcile_drift` metric) and
a report with one entry per drifted object.
"""

from __future__ import annotations

from typing import Any

from service.services.calendly_subscription import Action, ensure_subscription
from service.services.reconcile_calendly import reconcile_calendly
from service.services.reconcile_zoom import reconcile_zoom
from service.services.resources import JobResources


async def reconcile(rt: JobResources, target: str) -> list[dict[str, Any]]:
    """`webinar-sync reconcile [calendly|zoom|all]` and the nightly job."""
    results = []
    if target in ("calendly", "all"):
        results.append(await reconcile_calendly(rt))
    if target in ("zoom", "all"):
        results.append(await reconcile_zoom(rt))
    return results


async def watch_subscription(rt: JobResources) -> dict[str, Any]:
    """The hourly watchdog: repair the subscription; after a repair, backfill at once."""
    if not rt.settings.calendly_configured:
        return {"skipped": "CALENDLY_API_TOKEN is not set"}
    check = await ensure_subscription(rt.pool, rt.settings)
    if check.action is Action.NONE:
        return check.as_json()
    return {**check.as_json(), "backfill": await reconcile_calendly(rt, repaired=check)}
