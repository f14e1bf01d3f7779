"""The `bookings` table: versioned upserts and cancellations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service.adapters.postgres import Connection
from service.domain.booking_events import (
    Booking,
    BookingStatus,
    Participant,
)


async def upsert_booking(conn: Connection, booking: Booking, booked_at: datetime) -> bool:
    """Store the booking unless the stored version is as new or newer; True when stored.

    `booked_at` is the booking system's time of this event: it places a new booking in the
    queue for seats, and a booking confirmed again after a cancellation at the end of it.
    """
    participant = booking.participant
    applied = await conn.fetchval(
        """
        INSERT INTO bookings AS b
            (id, version, course_id, status, first_name, last_name, email, booked_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (id) DO UPDATE
           SET version = EXCLUDED.version, course_id = EXCLUDED.course_id,
               status = EXCLUDED.status, first_name = EXCLUDED.first_name,
               last_name = EXCLUDED.last_name, email = EXCLUDED.email,
               booked_at = CASE WHEN b.status = 'cancelled' AND EXCLUDED.status = 'confirmed'
                                THEN EXCLUDED.booked_at ELSE b.booked_at END,
               updated_at = now()
         WHERE b.version < EXCLUDED.version
        RETURNING true
        """,
        booking.id,
        booking.version,
        booking.course_id,
        booking.status.value,
        participant.first_name,
        participant.last_name,
        participant.email,
        booked_at,
    )
    return bool(applied)


async def cancel_booking(
    conn: Connection, booking_id: str, course_id: str, version: int, at: datetime
) -> bool:
    """Mark the booking cancelled (kept even if it was never seen confirmed); True when stored."""
    applied = await conn.fetchval(
        """
        INSERT INTO bookings AS b (id, version, course_id, status, booked_at)
        VALUES ($1, $2, $3, 'cancelled', $4)
        ON CONFLICT (id) DO UPDATE
           SET version = EXCLUDED.version, status = 'cancelled', updated_at = now()
         WHERE b.version < EXCLUDED.version
        RETURNING true
        """,
        booking_id,
        version,
        course_id,
        at,
    )
    return bool(applied)


async def cancel_course_bookings(conn: Connection, course_id: str) -> None:
    """A cancelled course cancels its bookings (their versions stay the booking system's)."""
    await conn.execute(
        """
        UPDATE bookings SET status = 'cancelled', updated_at = now()
         WHERE course_id = $1 AND status <> 'cancelled'
        """,
        course_id,
    )


def _booking(row: Any) -> Booking:
    return Booking(
        id=row["id"],
        version=row["version"],
        course_id=row["course_id"],
        status=BookingStatus(row["status"]),
        participant=Participant(row["first_name"], row["last_name"], row["email"]),
    )


async def load_bookings(conn: Connection, course_id: str) -> list[Booking]:
    """The course's bookings in booking order (first come first)."""
    rows = await conn.fetch(
        "SELECT * FROM bookings WHERE course_id = $1 ORDER BY booked_at, id", course_id
    )
    return [_booking(r) for r in rows]


async def load_booking(conn: Connection, booking_id: str) -> Booking | None:
    row = await conn.fetchrow("SELECT * FROM bookings WHERE id = $1", booking_id)
    return _booking(row) if row is not None else None


async def booking_course_id(conn: Connection, booking_id: str) -> str | None:
    course_id: str | None = await conn.fetchval(
        "SELECT course_id FROM bookings WHERE id = $1", booking_id
    )
    return course_id
