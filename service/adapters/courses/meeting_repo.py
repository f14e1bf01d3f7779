"""Our view of a course's Zoom meeting: its state, spec and failures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.adapters.courses.errors import Errors
from service.adapters.postgres import Connection


@dataclass(frozen=True)
class MeetingRow:
    course_id: str
    meeting_id: int | None
    host: str | None
    join_url: str | None
    state: str
    spec: dict[str, Any] | None
    sync_status: str
    errors: Errors
    deleted: bool

    @property
    def live_id(self) -> int | None:
        """The Zoom meeting that exists for the course now, if any."""
        return None if self.deleted else self.meeting_id


def _meeting(row: Any) -> MeetingRow:
    return MeetingRow(
        course_id=row["course_id"],
        meeting_id=row["meeting_id"],
        host=row["host"],
        join_url=row["join_url"],
        state=row["state"],
        spec=row["spec"],
        sync_status=row["sync_status"],
        errors=row["errors"],
        deleted=row["deleted_at"] is not None,
    )


async def load_meeting(conn: Connection, course_id: str) -> MeetingRow | None:
    row = await conn.fetchrow("SELECT * FROM zoom_meetings WHERE course_id = $1", course_id)
    return _meeting(row) if row is not None else None


async def ensure_meeting(conn: Connection, course_id: str) -> MeetingRow:
    """The meeting row, created pending; a deleted meeting's row starts over (a new meeting)."""
    row = await conn.fetchrow(
        """
        INSERT INTO zoom_meetings AS m (course_id) VALUES ($1)
        ON CONFLICT (course_id) DO UPDATE
           SET meeting_id = CASE WHEN m.deleted_at IS NULL THEN m.meeting_id END,
               join_url = CASE WHEN m.deleted_at IS NULL THEN m.join_url END,
               spec = CASE WHEN m.deleted_at IS NULL THEN m.spec END,
               host = CASE WHEN m.deleted_at IS NULL THEN m.host END,
               occurrences = CASE WHEN m.deleted_at IS NULL THEN m.occurrences
                                  ELSE '[]'::jsonb END,
               state = CASE WHEN m.deleted_at IS NULL THEN m.state ELSE 'pending' END,
               deleted_at = NULL
        RETURNING *
        """,
        course_id,
    )
    return _meeting(row)


async def set_meeting_status(
    conn: Connection, course_id: str, sync_status: str, errors: Errors
) -> None:
    await conn.execute(
        """
        INSERT INTO zoom_meetings (course_id, sync_status, errors) VALUES ($1, $2, $3)
        ON CONFLICT (course_id) DO UPDATE
           SET sync_status = EXCLUDED.sync_status, errors = EXCLUDED.errors, updated_at = now()
        """,
        course_id,
        sync_status,
        errors,
    )


async def clear_meeting_errors(conn: Connection, course_id: str) -> None:
    await conn.execute(
        """
        UPDATE zoom_meetings SET errors = '[]'::jsonb, sync_status = 'pending', updated_at = now()
         WHERE course_id = $1
        """,
        course_id,
    )


async def set_meeting_state(conn: Connection, course_id: str, state: str) -> None:
    await conn.execute(
        "UPDATE zoom_meetings SET state = $2, updated_at = now() WHERE course_id = $1",
        course_id,
        state,
    )


async def meeting_create_sent(
    conn: Connection, course_id: str, *, host: str, spec: dict[str, Any]
) -> None:
    """A create is about to be sent: until its answer is recorded, `spec` and `host` say what
    may exist in Zoom (a lost answer is looked up by them, not created again)."""
    await conn.execute(
        """
        UPDATE zoom_meetings SET state = 'in_flight', host = $2, spec = $3, updated_at = now()
         WHERE course_id = $1 AND meeting_id IS NULL
        """,
        course_id,
        host,
        spec,
    )


async def meeting_create_refused(conn: Connection, course_id: str) -> None:
    """Zoom answered the create with a refusal or a limit: nothing was created."""
    await conn.execute(
        """
        UPDATE zoom_meetings SET state = 'pending', host = NULL, spec = NULL, updated_at = now()
         WHERE course_id = $1 AND meeting_id IS NULL
        """,
        course_id,
    )


async def meeting_created(
    conn: Connection,
    course_id: str,
    *,
    meeting_id: int,
    host: str,
    join_url: str | None,
    spec: dict[str, Any],
    occurrences: list[Any],
) -> None:
    await conn.execute(
        """
        UPDATE zoom_meetings
           SET meeting_id = $2, host = $3, join_url = $4, spec = $5, occurrences = $6,
               state = 'done', updated_at = now()
         WHERE course_id = $1
        """,
        course_id,
        meeting_id,
        host,
        join_url,
        spec,
        occurrences,
    )


async def meeting_updated(conn: Connection, course_id: str, spec: dict[str, Any]) -> None:
    await conn.execute(
        """
        UPDATE zoom_meetings SET spec = $2, state = 'done', updated_at = now()
         WHERE course_id = $1
        """,
        course_id,
        spec,
    )


async def meeting_deleted(conn: Connection, course_id: str) -> None:
    """The meeting is gone from Zoom, and its registrants with it."""
    await conn.execute(
        """
        UPDATE zoom_meetings
           SET state = 'done', sync_status = 'ok', deleted_at = now(), updated_at = now()
         WHERE course_id = $1
        """,
        course_id,
    )
    await conn.execute(
        """
        UPDATE zoom_registrants SET zoom_status = 'deleted', state = 'done', updated_at = now()
         WHERE course_id = $1 AND zoom_status IS NOT NULL
        """,
        course_id,
    )


async def reset_failures(conn: Connection, course_id: str) -> None:
    """Let failed work be tried again (a new version arrived, or an admin asked to sync)."""
    await conn.execute(
        "UPDATE zoom_meetings SET state = 'pending' WHERE course_id = $1 AND state = 'failed'",
        course_id,
    )
    await conn.execute(
        "UPDATE zoom_registrants SET state = 'pending' WHERE course_id = $1 AND state = 'failed'",
        course_id,
    )


async def meeting_failed(conn: Connection, course_id: str, errors: Errors) -> None:
    await conn.execute(
        """
        UPDATE zoom_meetings SET state = 'failed', sync_status = 'failed', errors = $2,
                                 updated_at = now()
         WHERE course_id = $1
        """,
        course_id,
        errors,
    )
