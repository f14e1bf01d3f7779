"""The states of the durable queues' rows (sql/001_platform.sql checks the same sets)."""

from __future__ import annotations

from enum import StrEnum


class Queue(StrEnum):
    """Where a work item lives; also `work_attempts.source` and `dead_letters.queue`."""

    INBOX = "inbox"
    OUTBOX = "outbox"


class InboxStatus(StrEnum):
    """`pending` → `done` (applied), `ignored` (no handler), or `dead` (a dead letter)."""

    PENDING = "pending"
    DONE = "done"
    IGNORED = "ignored"
    DEAD = "dead"


class OutboxStatus(StrEnum):
    """`pending` → `in_flight` (claimed, under lease) → `done`, back to `pending`, or `dead`."""

    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    DONE = "done"
    DEAD = "dead"


class DeadLetterStatus(StrEnum):
    OPEN = "open"
    REPLAYED = "replayed"
    DISCARDED = "discarded"
