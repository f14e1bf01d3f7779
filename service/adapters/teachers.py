"""Users (teachers) in Postgres: versioned upserts, linking to attendees, the pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from service.adapters.postgres import Connection
from service.domain.booking_events import User
from service.domain.calendly_payloads import CalendlyStatus
from service.domain.pipeline import LinkedAttendance, PipelineStatus, Transition
from service.domain.users import search_key


@dataclass(frozen=True)
class _Attendance:
    status: CalendlyStatus
    attended: bool | None


async def upsert_user(conn: Connection, user: User) -> bool:
    """Store the user if this version is newer than what we have; True if stored."""
    stored = await conn.fetchval(
        """
        INSERT INTO users (id, version, name, email, role, search_key)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (id) DO UPDATE SET
            version = EXCLUDED.version, name = EXCLUDED.name, email = EXCLUDED.email,
            role = EXCLUDED.role, search_key = EXCLUDED.search_key, updated_at = now()
        WHERE users.version < EXCLUDED.version
        RETURNING true
        """,
        user.id,
        user.version,
        user.name,
        user.email,
        user.role,
        search_key(user.name, user.email),
    )
    return bool(stored)


async def link_unlinked_attendees(conn: Connection, user_id: str) -> list[int]:
    """Link attendees that booked with this user's email and have no user yet."""
    rows = await conn.fetch(
        """
        UPDATE calendly_attendees a SET user_id = u.id, updated_at = now()
          FROM users u
         WHERE u.id = $1 AND u.email IS NOT NULL
           AND lower(a.email) = lower(u.email) AND a.user_id IS NULL
        RETURNING a.id
        """,
        user_id,
    )
    return [row["id"] for row in rows]


def only_user_with_email(email: str) -> str:
    """SQL for the id of the one user whose email is the SQL expression `email` (any case);
    NULL when there is none or more than one. An attendee is linked only to that user."""
    return (
        "(SELECT min(u.id) FROM users u "  # noqa: S608 - an expression of ours, no input
        f"WHERE lower(u.email) = lower({email}) HAVING count(*) = 1)"
    )


async def link_by_email(conn: Connection, attendee_id: int) -> str | None:
    """Link an unlinked attendee to the one user with the same email, if there is exactly one."""
    user_id: str | None = await conn.fetchval(
        f"""
        UPDATE calendly_attendees a SET user_id = m.id, updated_at = now()
          FROM (SELECT {only_user_with_email("x.email")} AS id
                  FROM calendly_attendees x WHERE x.id = $1) m
         WHERE a.id = $1 AND a.user_id IS NULL AND m.id IS NOT NULL
        RETURNING a.user_id
        """,  # noqa: S608 - fixed SQL
        attendee_id,
    )
    return user_id


async def lock_pipeline(conn: Connection, user_id: str) -> PipelineStatus | None:
    """The teacher's status, the row locked until commit; None for an unknown user."""
    current = await conn.fetchval(
        "SELECT pipeline_status FROM users WHERE id = $1 FOR UPDATE", user_id
    )
    return PipelineStatus(current) if current is not None else None


async def linked_attendances(conn: Connection, user_id: str) -> list[LinkedAttendance]:
    rows = await conn.fetch(
        "SELECT status, attended FROM calendly_attendees WHERE user_id = $1", user_id
    )
    return [_Attendance(CalendlyStatus(r["status"]), r["attended"]) for r in rows]


async def record_transition(
    conn: Connection, user_id: str, transition: Transition, trigger: str
) -> None:
    await conn.execute(
        "UPDATE users SET pipeline_status = $2, updated_at = now() WHERE id = $1",
        user_id,
        int(transition.to_status),
    )
    await conn.execute(
        """
        INSERT INTO pipeline_transitions (user_id, from_status, to_status, cause)
        VALUES ($1, $2, $3, $4)
        """,
        user_id,
        int(transition.from_status),
        int(transition.to_status),
        f"{transition.cause} ({trigger})",
    )
