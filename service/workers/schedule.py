"""What the scheduler runs, and how often."""

from __future__ import annotations

from datetime import timedelta

from service.workers.relay import relay_stuck_work
from service.workers.scheduler import Job

RELAY_EVERY = timedelta(seconds=5)


def scheduled_jobs() -> list[Job]:
    return [Job("relay", RELAY_EVERY, relay_stuck_work)]
