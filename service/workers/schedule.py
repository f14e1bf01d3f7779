"""What the scheduler runs, and how often."""

from __future__ import annotations

from datetime import timedelta

from service.workers.calendly_sync import nightly_sync
from service.workers.reconcile import hourly_subscription_watch, nightly_reconcile
from service.workers.relay import relay_stuck_work
from service.workers.retention import prune_old_records
from service.workers.scheduler import Job

RELAY_EVERY = timedelta(seconds=5)
DAILY = timedelta(days=1)
CALENDLY_SYNC_AT = timedelta(hours=2)  # 02:00 UTC, a quiet hour for admins in Europe
HOURLY = timedelta(hours=1)
RECONCILE_AT = timedelta(hours=3)  # 03:00 UTC, after the Calendly sync


def scheduled_jobs() -> list[Job]:
    return [
        Job("relay", RELAY_EVERY, relay_stuck_work),
        Job("calendly_sync", DAILY, nightly_sync, offset=CALENDLY_SYNC_AT),
        Job("reconcile", DAILY, nightly_reconcile, offset=RECONCILE_AT),
        Job("calendly_subscription_watch", HOURLY, hourly_subscription_watch),
        Job("retention", HOURLY, prune_old_records, offset=timedelta(minutes=17)),
    ]
