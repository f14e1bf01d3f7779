"""Shared by the admin API tests: rows made directly in Postgres, and the sandbox Calendly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from service.adapters import teachers
from service.domain.booking_events import User


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def make_user(pool: asyncpg.Pool, name: str, email: str | None = None) -> str:
    user_id = unique("u")
    email = email or f"{user_id}@example.com"
    async with pool.acquire() as conn:
        await teachers.upsert_user(conn, User(user_id, 1, name, email, "teacher"))
    return user_id


async def make_event(
    pool: asyncpg.Pool,
    *,
    start: datetime | None = None,
    status: str = "active",
    name: str = "TLr - Infowebinar",
    minutes: int = 60,
) -> int:
    start = start or datetime.now(UTC) + timedelta(days=2)
    async with pool.acquire() as conn:
        event_id: int = await conn.fetchval(
            """
            INSERT INTO calendly_events (uri, name, status, start_time, end_time,
                                         location_kind, location_join_url, calendly_updated_at)
            VALUES ($1, $2, $3, $4, $5, 'zoom', 'https://zoom.us/j/123', now())
            RETURNING id
            """,
            f"https://api.calendly.com/scheduled_events/{uuid.uuid4()}",
            name,
            status,
            start,
            start + timedelta(minutes=minutes),
        )
    return event_id


async def make_attendee(
    pool: asyncpg.Pool,
    event_id: int,
    *,
    name: str = "Max Mustermann",
    email: str | None = None,
    status: str = "active",
    attended: bool | None = None,
    user_id: str | None = None,
) -> int:
    async with pool.acquire() as conn:
        attendee_id: int = await conn.fetchval(
            """
            INSERT INTO calendly_attendees (uri, event_id, name, email, status, attended, user_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
            """,
            f"https://api.calendly.com/scheduled_events/x/invitees/{uuid.uuid4()}",
            event_id,
            name,
            email or f"{unique('a')}@example.com",
            status,
            attended,
            user_id,
        )
    return attendee_id


async def pipeline_status(pool: asyncpg.Pool, user_id: str) -> int:
    async with pool.acquire() as conn:
        return int(await conn.fetchval("SELECT pipeline_status FROM users WHERE id = $1", user_id))
