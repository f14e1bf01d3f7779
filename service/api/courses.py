"""Courses and their Zoom state (CONTRACT §5 "Courses (Zoom)"): list, detail, and "sync now"."""

from __future__ import annotations

import base64
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.adapters import courses as repo
from service.adapters.postgres import Connection
from service.api import input
from service.api.errors import ApiError
from service.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.api.runtime import runtime
from service.domain.numbers import ascii_int
from service.workers.course_decisions import course_subject, decide_course
from service.workers.unit_of_work import UnitOfWork

SYNC_STATUSES = ("ok", "pending", "failed")

_COURSE_COLUMNS = """
    c.id, c.version, c.title, c.status, c.sessions, c.zoom_synced,
    m.meeting_id, m.join_url, m.sync_status, m.errors, m.deleted_at
"""


def _cursor(course_id: str) -> str:
    return base64.urlsafe_b64encode(course_id.encode()).decode().rstrip("=")


def _after(request: Request) -> str | None:
    """Course ids are the booking system's strings, so the cursor carries the last id seen."""
    cursor = request.query_params.get("cursor")
    if not cursor:
        return None
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            422, "invalid cursor", [{"field": "cursor", "problem": "not a cursor this API issued"}]
        ) from None


def _limit(request: Request) -> int:
    limit = ascii_int(request.query_params.get("limit", str(DEFAULT_LIMIT)))
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise ApiError(
            422, "invalid limit", [{"field": "limit", "problem": f"expected 1–{MAX_LIMIT}"}]
        )
    return limit


def _zoom(row: Any) -> dict[str, Any]:
    """The course's Zoom view; `sync_status` is null for a course Zoom never heard of."""
    deleted = row["deleted_at"] is not None
    sync_status = row["sync_status"] or ("pending" if row["zoom_synced"] else None)
    return {
        "meeting_id": None if deleted else row["meeting_id"],
        "join_url": None if deleted else row["join_url"],
        "sync_status": sync_status,
        "errors": row["errors"] or [],
    }


def _course(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "version": row["version"],
        "title": row["title"],
        "status": row["status"],
        "sessions": row["sessions"],
        "zoom": _zoom(row),
    }


async def list_courses(request: Request) -> JSONResponse:
    sync_status = request.query_params.get("sync_status")
    if sync_status is not None and sync_status not in SYNC_STATUSES:
        raise ApiError(
            422,
            "invalid sync_status",
            [{"field": "sync_status", "problem": f"expected one of {', '.join(SYNC_STATUSES)}"}],
        )
    after, limit = _after(request), _limit(request)
    async with runtime(request).pool.acquire() as conn:
        rows = await conn.fetch(
            f"""
            SELECT {_COURSE_COLUMNS}
              FROM courses c LEFT JOIN zoom_meetings m ON m.course_id = c.id
             WHERE ($1::text IS NULL OR c.id > $1)
               AND ($2::text IS NULL OR COALESCE(m.sync_status,
                        CASE WHEN c.zoom_synced THEN 'pending' END) = $2)
             ORDER BY c.id LIMIT $3
            """,  # noqa: S608 - a constant column list; values are parameters
            after,
            sync_status,
            limit + 1,
        )
    items = [_course(r) for r in rows[:limit]]
    next_cursor = _cursor(items[-1]["id"]) if len(rows) > limit else None
    return JSONResponse({"items": items, "next_cursor": next_cursor})


async def _detail(conn: Connection, course_id: str) -> dict[str, Any]:
    row = await conn.fetchrow(
        f"""
        SELECT {_COURSE_COLUMNS}
          FROM courses c LEFT JOIN zoom_meetings m ON m.course_id = c.id
         WHERE c.id = $1
        """,  # noqa: S608 - a constant column list; values are parameters
        course_id,
    )
    if row is None:
        raise ApiError(404, f"course {course_id} is not known")
    bookings = await conn.fetch(
        """
        SELECT b.id, b.status, b.email, r.registrant_id, r.zoom_status, r.join_url,
               COALESCE(r.errors, '[]'::jsonb) AS errors
          FROM bookings b LEFT JOIN zoom_registrants r ON r.booking_id = b.id
         WHERE b.course_id = $1
         ORDER BY b.booked_at, b.id
        """,
        course_id,
    )
    return {
        **_course(row),
        "bookings": [
            {
                "id": b["id"],
                "status": b["status"],
                "email": b["email"],
                "registrant": {
                    "id": b["registrant_id"],
                    "status": b["zoom_status"],
                    "join_url": b["join_url"],
                }
                if b["registrant_id"]
                else None,
                "errors": b["errors"],
            }
            for b in bookings
        ],
    }


def _course_id(request: Request) -> str:
    """The booking system's id as given; one Postgres can't hold (U+0000) can't exist."""
    course_id = str(request.path_params["course_id"])
    if not input.storable(course_id):
        raise ApiError(404, "course is not known: its id contains a NUL character")
    return course_id


async def get_course(request: Request) -> JSONResponse:
    async with runtime(request).pool.acquire() as conn:
        return JSONResponse(await _detail(conn, _course_id(request)))


async def sync_course(request: Request) -> JSONResponse:
    """Validate again and queue what Zoom needs now; failed work is tried again."""
    rt = runtime(request)
    course_id = _course_id(request)
    async with rt.pool.acquire() as conn:
        unit = UnitOfWork(conn)
        async with conn.transaction():
            await unit.lock(course_subject(course_id))
            if await repo.load_course(conn, course_id) is None:
                raise ApiError(404, f"course {course_id} is not known")
            await repo.reset_failures(conn, course_id)
            await repo.clear_meeting_errors(conn, course_id)  # so each is reported afresh
            await decide_course(unit, course_id, {"event": "api.sync", "course_id": course_id})
        detail = await _detail(conn, course_id)
    await rt.courier.send_outbox(unit.outbox_ids)
    return JSONResponse({**detail, "queued": len(unit.outbox_ids)}, status_code=202)
