"""Dead letters for ops: list, read with their history, replay and discard
(docs/architecture.md: "Failures are classified").

The API and the CLI share this module, so `webinar-sync dlq replay 7` and
`POST /api/v1/ops/dead-letters/7/replay` do exactly the same thing. A replay puts the
inbox or outbox row back to `pending` (attempts reset, due now) and closes the letter
in the same transaction; the caller sends the id to the workers after commit, and the
relay re-sends it if that send is lost. Every replay and discard is written to
`dead_letter_actions`, so who did what, when, and with which result stays on record.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from service.adapters.postgres import Connection
from service.domain.queue_states import DeadLetterStatus, InboxStatus, OutboxStatus, Queue

SOURCES = ("calendly", "booking", "zoom")
QUEUES = tuple(Queue)
STATUSES = tuple(DeadLetterStatus)
MAX_BULK = 10_000


class NotFound(Exception):
    """No dead letter with that id."""


class AlreadyResolved(Exception):
    """The letter was replayed or discarded before: acting again would change nothing."""

    def __init__(self, letter_id: int, status: str, resolved_at: datetime | None) -> None:
        when = f" at {resolved_at.isoformat()}" if resolved_at else ""
        super().__init__(f"dead letter {letter_id} was already {status}{when}; nothing changed")
        self.status = status


@dataclass(frozen=True)
class Filter:
    """Which letters a list or a bulk replay covers; None means "any"."""

    status: str | None = DeadLetterStatus.OPEN
    source: str | None = None  # calendly | booking | zoom
    type: str | None = None
    error: str | None = None  # an error class, or a piece of the error message
    since: datetime | None = None
    queue: str | None = None  # inbox | outbox

    def is_empty(self) -> bool:
        return (
            self.source is None
            and self.type is None
            and self.error is None
            and not self.since
            and self.queue is None
        )


@dataclass(frozen=True)
class Outcome:
    """What one replay did (or, in a dry run, would do) to one letter."""

    id: int
    queue: str
    ref_id: int
    type: str
    result: str  # replayed | superseded | stale | would_replay | would_be_superseded

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "queue": self.queue,
            "ref_id": self.ref_id,
            "type": self.type,
            "result": self.result,
        }


@dataclass
class Resent:
    """Ids to send to the workers once the transaction has committed."""

    inbox: list[int] = field(default_factory=list)
    outbox: list[int] = field(default_factory=list)


_COLUMNS = """
id, source, queue, ref_id, type, error_class, error_message, attempts, payload,
status, created_at, resolved_at
"""

# `error` is a substring of the message, taken literally: % and _ in it are escaped, so a
# filter of "%" matches only messages containing "%" (never all of them: a bulk replay must
# replay only what ops chose).
_FILTER = r"""
    ($1::text IS NULL OR status = $1)
AND ($2::text IS NULL OR source = $2)
AND ($3::text IS NULL OR type = $3)
AND ($4::text IS NULL OR error_class = $4
     OR error_message ILIKE '%' || replace(replace(replace($4, '\', '\\'), '%', '\%'), '_', '\_')
                            || '%')
AND ($5::timestamptz IS NULL OR created_at >= $5)
AND ($6::text IS NULL OR queue = $6)
"""


def _filter_args(where: Filter) -> list[Any]:
    return [where.status, where.source, where.type, where.error, where.since, where.queue]


def as_resource(row: Any) -> dict[str, Any]:
    """CONTRACT §5: `id, source, type, error {class, message}, attempts, created_at, payload`."""
    return {
        "id": row["id"],
        "source": row["source"],
        "queue": row["queue"],
        "ref_id": row["ref_id"],
        "type": row["type"],
        "error": {"class": row["error_class"], "message": row["error_message"]},
        "attempts": row["attempts"],
        "status": row["status"],
        "created_at": row["created_at"],
        "resolved_at": row["resolved_at"],
        "payload": row["payload"],
    }


async def list_letters(
    conn: Connection, where: Filter, *, before_id: int | None, limit: int
) -> list[dict[str, Any]]:
    """Newest first; `before_id` is the keyset cursor."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM dead_letters WHERE {_FILTER} "  # noqa: S608 - constant SQL
        "AND ($7::bigint IS NULL OR id < $7) ORDER BY id DESC LIMIT $8",
        *_filter_args(where),
        before_id,
        limit,
    )
    return [as_resource(row) for row in rows]


async def get_letter(conn: Connection, letter_id: int) -> dict[str, Any]:
    """The letter, every failed attempt of its item (with the error) and every ops action."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM dead_letters WHERE id = $1",  # noqa: S608 - constant SQL
        letter_id,
    )
    if row is None:
        raise NotFound(f"no dead letter {letter_id}")
    attempts = await conn.fetch(
        """
        SELECT attempt, error_class, error_message, at FROM work_attempts
         WHERE source = $1 AND ref_id = $2 ORDER BY id
        """,
        row["queue"],
        row["ref_id"],
    )
    actions = await conn.fetch(
        """
        SELECT action, actor, reason, result, at FROM dead_letter_actions
         WHERE dead_letter_id = $1 ORDER BY id
        """,
        letter_id,
    )
    letter = as_resource(row)
    letter["history"] = [
        {
            "attempt": a["attempt"],
            "error": {"class": a["error_class"], "message": a["error_message"]},
            "at": a["at"],
        }
        for a in attempts
    ]
    letter["actions"] = [dict(a) for a in actions]
    return letter


async def replay(
    conn: Connection, letter_id: int, actor: str, *, dry_run: bool = False
) -> tuple[Outcome, Resent]:
    """Replay one open letter; AlreadyResolved when it is not open (idempotent by refusal)."""
    async with conn.transaction():
        row = await _lock_letter(conn, letter_id)
        if row["status"] != DeadLetterStatus.OPEN:
            raise AlreadyResolved(letter_id, row["status"], row["resolved_at"])
        resent = Resent()
        outcome = await _replay_locked(conn, row, actor, resent, dry_run=dry_run)
    return outcome, resent


async def replay_matching(
    conn: Connection, where: Filter, actor: str, *, dry_run: bool
) -> tuple[list[Outcome], Resent]:
    """Replay every open letter the filter matches, oldest first, in one transaction.

    Only open letters are ever touched, so running the same bulk replay twice replays
    nothing the second time.
    """
    open_only = replace(where, status=DeadLetterStatus.OPEN)
    resent = Resent()
    outcomes: list[Outcome] = []
    async with conn.transaction():
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM dead_letters WHERE {_FILTER} "  # noqa: S608 - constant SQL
            "ORDER BY id LIMIT $7 FOR UPDATE SKIP LOCKED",
            *_filter_args(open_only),
            MAX_BULK,
        )
        for row in rows:
            outcomes.append(await _replay_locked(conn, row, actor, resent, dry_run=dry_run))
    return outcomes, resent


async def discard(conn: Connection, letter_id: int, actor: str, reason: str) -> dict[str, Any]:
    """Close an open letter without running its item again; the item stays `dead`."""
    async with conn.transaction():
        row = await _lock_letter(conn, letter_id)
        if row["status"] != DeadLetterStatus.OPEN:
            raise AlreadyResolved(letter_id, row["status"], row["resolved_at"])
        updated = await conn.fetchrow(
            f"UPDATE dead_letters SET status = $2, resolved_at = now() "  # noqa: S608
            f"WHERE id = $1 RETURNING {_COLUMNS}",
            letter_id,
            DeadLetterStatus.DISCARDED,
        )
        await _audit(conn, letter_id, "discard", actor, reason=reason, result="discarded")
    return as_resource(updated)


async def _lock_letter(conn: Connection, letter_id: int) -> Any:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM dead_letters WHERE id = $1 FOR UPDATE",  # noqa: S608
        letter_id,
    )
    if row is None:
        raise NotFound(f"no dead letter {letter_id}")
    return row


async def _replay_locked(
    conn: Connection, row: Any, actor: str, resent: Resent, *, dry_run: bool
) -> Outcome:
    """The letter row is locked and open. An outbox command whose subject already has a
    newer command waiting is not revived: that one reads the current wish and does the
    work (and a second pending row for the subject is what the outbox forbids)."""
    superseded_by = None
    if row["queue"] == Queue.OUTBOX:
        superseded_by = await conn.fetchval(
            """
            SELECT p.id FROM outbox p JOIN outbox o ON o.command = p.command
                                                  AND o.subject = p.subject
             WHERE o.id = $1 AND p.status = $2 AND p.id <> o.id
            """,
            row["ref_id"],
            OutboxStatus.PENDING,
        )
    if dry_run:
        result = "would_be_superseded" if superseded_by else "would_replay"
        return Outcome(row["id"], row["queue"], row["ref_id"], row["type"], result)
    if superseded_by:
        await _clear_refusal(conn, row["ref_id"])
        result = "superseded"
        detail = f"superseded: outbox {superseded_by} waits for the same subject"
    elif await _revive(conn, row["queue"], row["ref_id"]):
        if row["queue"] == Queue.OUTBOX:
            await _clear_refusal(conn, row["ref_id"])
        (resent.inbox if row["queue"] == Queue.INBOX else resent.outbox).append(row["ref_id"])
        result, detail = "replayed", f"{row['queue']} {row['ref_id']} pending again"
    else:  # someone moved the item on by hand; running it again could do harm
        result, detail = "stale", f"{row['queue']} {row['ref_id']} is no longer dead; not run"
    await conn.execute(
        "UPDATE dead_letters SET status = $2, resolved_at = now() WHERE id = $1",
        row["id"],
        DeadLetterStatus.REPLAYED,
    )
    await _audit(conn, row["id"], "replay", actor, reason=None, result=detail)
    return Outcome(row["id"], row["queue"], row["ref_id"], row["type"], result)


# CONTRACT §5: a replayed Zoom command runs again for real. When it died, the object it
# works on was marked `failed`, and commands leave failed objects alone (so that a refusal
# is not retried in a loop); a replay clears that mark, for whichever command runs next.
_CLEAR_REFUSAL = {
    "booking": "UPDATE zoom_registrants SET state = 'pending' "
    "WHERE booking_id = $1 AND state = 'failed'",
    "course": "UPDATE zoom_meetings SET state = 'pending' "
    "WHERE course_id = $1 AND state = 'failed'",
    "attendee": "UPDATE calendly_zoom_registrants SET state = 'pending' "
    "WHERE attendee_id::text = $1 AND state = 'failed'",
}


async def _clear_refusal(conn: Connection, outbox_id: int) -> None:
    subject = await conn.fetchval("SELECT subject FROM outbox WHERE id = $1", outbox_id)
    kind, _, key = (subject or "").partition(":")
    if kind in _CLEAR_REFUSAL:
        await conn.execute(_CLEAR_REFUSAL[kind], key)


async def _revive(conn: Connection, queue: str, ref_id: int) -> bool:
    # enqueued_at = now(): the caller sends right after commit; the relay re-sends
    # after its grace period if that send is lost.
    if queue == Queue.INBOX:
        revived = await conn.fetchval(
            """
            UPDATE inbox SET status = $2, attempts = 0, not_before = now(),
                             enqueued_at = now(), processed_at = NULL
             WHERE id = $1 AND status = $3 RETURNING true
            """,
            ref_id,
            InboxStatus.PENDING,
            InboxStatus.DEAD,
        )
    else:
        revived = await conn.fetchval(
            """
            UPDATE outbox SET status = $2, attempts = 0, not_before = now(),
                              enqueued_at = now(), updated_at = now()
             WHERE id = $1 AND status = $3 RETURNING true
            """,
            ref_id,
            OutboxStatus.PENDING,
            OutboxStatus.DEAD,
        )
    return bool(revived)


async def _audit(
    conn: Connection, letter_id: int, action: str, actor: str, *, reason: str | None, result: str
) -> None:
    await conn.execute(
        """
        INSERT INTO dead_letter_actions (dead_letter_id, action, actor, reason, result)
        VALUES ($1, $2, $3, $4, $5)
        """,
        letter_id,
        action,
        actor,
        reason,
        result,
    )
