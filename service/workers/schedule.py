"""What the scheduler runs, and how often."""

from __future__ import annotations

from datetime import timedelta

from service.workers.attendance_sweep import nightly_attendance_sweep
from service.workers.reconcile import hourly_subscription_watch, nightly_reconcile
from service.workers.relay import relay_stuck_work
from service.workers.retention import prune_old_records
from service.workers.scheduler import Job

RELAY_EVERY = timedelta(seconds=5)
DAILY = timedelta(days=1)
HOURLY = timedelta(hours=1)
# 03:00 UTC, a quiet hour in Europe. The nightly reconcile is also the nightly Calendly sync
# (a `since` sync from 30 days back through the same job), so there is no separate one.
RECONCILE_AT = timedelta(hours=3)
# After the reconcile, when last evening's webinars are long over.
ATTENDANCE_SWEEP_AT = timedelta(hours=3, minutes=30)


def scheduled_jobs() -> list[Job]:
    return [
        Job("relay", RELAY_EVERY, relay_stuck_work),
        Job("reconcile", DAILY, nightly_reconcile, offset=RECONCILE_AT),
        Job("calendly_subscription_watch", HOURLY, hourly_subscription_watch),
        Job("attendance_sweep", DAILY, nightly_attendance_sweep, offset=ATTENDANCE_SWEEP_AT),
        Job("retention", HOURLY, prune_old_records, offset=timedelta(minutes=17)),
    ]
