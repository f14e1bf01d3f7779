"""What the scheduler runs, and how often."""

from __future__ import annotations

from datetime import timedelta

from service.workers.calendly_sync import nightly_sync
from service.workers.relay import relay_stuck_work
from service.workers.scheduler import Job

RELAY_EVERY = timedelta(seconds=5)
DAILY = timedelta(days=1)
CALENDLY_SYNC_AT = timedelta(hours=2)  # 02:00 UTC, a quiet hour for admins in Europe


def scheduled_jobs() -> list[Job]:
    return [
        Job("relay", RELAY_EVERY, relay_stuck_work),
        Job("calendly_sync", DAILY, nightly_sync, offset=CALENDLY_SYNC_AT),
    ]
