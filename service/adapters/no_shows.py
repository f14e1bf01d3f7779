"""Calendly no-shows in Postgres: the wish (`attended`), the URI a no-show has in Calendly, and
every no-show this service created (`calendly_no_shows_sent`), so its echo is recognised."""

from __future__ import annotations

from dataclasses import dataclass

from service.adapters.postgres import Connection
from service.domain.subjects import SubjectKind
from service.domain.zoom_attendance import AttendanceSource


@dataclass(frozen=True)
class NoShowWish:
    invitee_uri: str | None
    attended: bool | None
    no_show_uri: str | None  # the no-show Calendly holds for the invitee, if we know one


async def load_wish(conn: Connection, attendee_id: int) -> NoShowWish | None:
    row = await conn.fetchrow(
        "SELECT uri, attended, no_show_uri FROM calendly_attendees WHERE id = $1", attendee_id
    )
    return NoShowWish(row["uri"], row["attended"], row["no_show_uri"]) if row else None


async def created_by_us(
    conn: Connection, no_show_uri: object, invitee_uri: object, command: str
) -> bool:
    """The no-show is one we created, or our create for the invitee is still in flight (Calendly
    may report our POST before its answer reached us)."""
    found = await conn.fetchval(
        """
        SELECT EXISTS (SELECT 1 FROM calendly_no_shows_sent
                        WHERE uri = $1 AND deleted_at IS NULL)
            OR EXISTS (SELECT 1 FROM outbox o JOIN calendly_attendees a
                               ON o.subject = $4::text || a.id
                        WHERE a.uri = $2 AND o.command = $3 AND o.status = 'in_flight')
        """,
        no_show_uri,
        invitee_uri,
        command,
        f"{SubjectKind.NO_SHOW}:",
    )
    return bool(found)


async def deleted_by_us(conn: Connection, invitee_uri: object) -> bool:
    """We sent a no-show for the invitee and no longer want one."""
    found = await conn.fetchval(
        """
        SELECT true FROM calendly_no_shows_sent s JOIN calendly_attendees a ON a.id = s.attendee_id
         WHERE a.uri = $1 AND a.attended IS DISTINCT FROM false
         LIMIT 1
        """,
        invitee_uri,
    )
    return bool(found)


async def set_in_calendly(conn: Connection, invitee_uri: str, no_show_uri: str | None) -> None:
    """A person set (or undid) the no-show in Calendly: a mark by hand, kept over Zoom's."""
    await conn.execute(
        """
        UPDATE calendly_attendees SET no_show_uri = $2, attendance_source = $3 WHERE uri = $1
        """,
        invitee_uri,
        no_show_uri,
        AttendanceSource.MANUAL,
    )


async def sent(conn: Connection, attendee_id: int, no_show_uri: str) -> None:
    await conn.execute(
        """
        INSERT INTO calendly_no_shows_sent (uri, attendee_id) VALUES ($1, $2)
        ON CONFLICT (uri) DO NOTHING
        """,
        no_show_uri,
        attendee_id,
    )
    await conn.execute(
        "UPDATE calendly_attendees SET no_show_uri = $2 WHERE id = $1", attendee_id, no_show_uri
    )


async def deleted(conn: Connection, attendee_id: int, no_show_uri: str) -> None:
    await conn.execute(
        "UPDATE calendly_no_shows_sent SET deleted_at = now() WHERE uri = $1", no_show_uri
    )
    await conn.execute(
        "UPDATE calendly_attendees SET no_show_uri = NULL WHERE id = $1 AND no_show_uri = $2",
        attendee_id,
        no_show_uri,
    )
