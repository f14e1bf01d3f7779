"""A Calendly sync job: what it reads (its mode) and its life: queued → running → succeeded |
failed."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class SyncMode(StrEnum):
    """What a sync reads: events starting in the last 30 days and later, from a time, or all."""

    RECENT = "recent"
    SINCE = "since"
    FULL = "full"
