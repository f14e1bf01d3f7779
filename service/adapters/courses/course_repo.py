"""The `courses` table: versioned upserts, cancellations, hosted slots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.adapters.postgres import Connection
from service.domain.booking_events import Course, CourseStatus, course_from_document
from service.domain.course_sync import is_zoom_synced
from service.domain.hosting import HostedSlot, host_zoom_user, hosted_slots


@dataclass(frozen=True)
class StoredCourse:
    id: str
    version: int
    status: CourseStatus
    course: Course | None  # None: known only from its cancellation


async def upsert_course(conn: Connection, course: Course, document: dict[str, Any]) -> bool:
    """Store the course unless the stored version is as new or newer; True when stored."""
    host = host_zoom_user(course)
    applied = await conn.fetchval(
        """
        INSERT INTO courses AS c (id, version, title, status, timezone, sessions, venue,
                                  moderator, supervisor, trainers, zoom_synced, zoom_host, document)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (id) DO UPDATE
           SET version = EXCLUDED.version, title = EXCLUDED.title, status = EXCLUDED.status,
               timezone = EXCLUDED.timezone, sessions = EXCLUDED.sessions,
               venue = EXCLUDED.venue, moderator = EXCLUDED.moderator,
               supervisor = EXCLUDED.supervisor, trainers = EXCLUDED.trainers,
               zoom_synced = EXCLUDED.zoom_synced, zoom_host = EXCLUDED.zoom_host,
               document = EXCLUDED.document, updated_at = now()
         WHERE c.version < EXCLUDED.version
        RETURNING true
        """,
        course.id,
        course.version,
        course.title,
        course.status.value,
        course.timezone,
        document.get("sessions", []),
        document.get("venue"),
        course.moderator.value,
        document.get("supervisor"),
        document.get("trainers", []),
        is_zoom_synced(course),
        host.strip().casefold() if host else None,
        document,
    )
    return bool(applied)


async def cancel_course(conn: Connection, course_id: str, version: int) -> bool:
    """Mark the course cancelled (a tombstone if unknown so far); True when stored."""
    applied = await conn.fetchval(
        """
        INSERT INTO courses AS c (id, version, status) VALUES ($1, $2, 'cancelled')
        ON CONFLICT (id) DO UPDATE
           SET version = EXCLUDED.version, status = 'cancelled', zoom_synced = false,
               document = CASE WHEN c.document IS NULL THEN NULL
                               ELSE c.document || jsonb_build_object('status', 'cancelled',
                                                                     'version', EXCLUDED.version)
                          END,
               updated_at = now()
         WHERE c.version < EXCLUDED.version
        RETURNING true
        """,
        course_id,
        version,
    )
    return bool(applied)


async def load_course(conn: Connection, course_id: str) -> StoredCourse | None:
    row = await conn.fetchrow(
        "SELECT id, version, status, document FROM courses WHERE id = $1", course_id
    )
    if row is None:
        return None
    document = row["document"]
    course = course_from_document(document) if document is not None else None
    return StoredCourse(row["id"], row["version"], CourseStatus(row["status"]), course)


async def other_hosted_slots(conn: Connection, course: Course) -> list[HostedSlot]:
    """The sessions of the other Zoom-synced courses the same Zoom user hosts."""
    host = host_zoom_user(course)
    if host is None:
        return []
    rows = await conn.fetch(
        "SELECT document FROM courses WHERE zoom_synced AND zoom_host = $1 AND id <> $2",
        host.strip().casefold(),
        course.id,
    )
    return [slot for r in rows for slot in hosted_slots(course_from_document(r["document"]))]
