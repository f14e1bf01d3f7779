"""Analytics use cases (CONTRACT §8), shared by the API and the web UI's "Analytics" page.

The definitions are in docs/attendance.md; every function returns plain data.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from service.adapters import analytics as repo
from service.domain.analytics import Period, rate, webinar_rates
from service.domain.pipeline import PipelineStatus
from service.services.attendance import course_attendance


def _period_end(start: Any, period: Period) -> Any:
    if period is Period.WEEK:
        return start + timedelta(days=7)
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


async def webinar_stats(
    pool: asyncpg.Pool,
    start: datetime | None,
    end: datetime | None,
    period: Period = Period.WEEK,
) -> list[dict[str, Any]]:
    """Per week or month (by event start, UTC) with events: `period` (first day), `period_end`
    (first day of the next), `events`, `booked`, `cancelled`, `attended`, `not_attended`,
    `pending`, `attendance_rate`, `no_show_rate` (null when nothing is marked)."""
    async with pool.acquire() as conn:
        rows = await repo.webinar_periods(conn, start, end, period.value)
    return [
        {
            **row,
            "period_end": _period_end(row["period"], period),
            **webinar_rates(row["attended"], row["not_attended"]),
        }
        for row in rows
    ]


async def pipeline_stats(
    pool: asyncpg.Pool, start: datetime | None, end: datetime | None
) -> dict[str, Any]:
    """`stages`: teachers per pipeline stage now (every stage, 0 included), in pipeline order;
    `transitions`: moves in [start, end) by pair, `{"from", "to", "count"}`, most first."""
    async with pool.acquire() as conn:
        stages = await repo.teachers_per_stage(conn)
        moves = await repo.transitions(conn, start, end)
    return {
        "stages": [
            {"stage": status.api_name, "teachers": stages.get(int(status), 0)}
            for status in PipelineStatus
        ],
        "transitions": [
            {
                "from": PipelineStatus(m["from_status"]).api_name,
                "to": PipelineStatus(m["to_status"]).api_name,
                "count": m["count"],
            }
            for m in moves
        ],
    }


async def course_stats(
    pool: asyncpg.Pool, start: datetime | None, end: datetime | None, min_percent: int
) -> list[dict[str, Any]]:
    """Per course with a session in [start, end): `course_id`, `title`, `bookings` (confirmed),
    `sessions` (scheduled), and per imported session `{"date", "attended", "attendance_rate"}`
    with rate = attended ÷ confirmed bookings."""
    async with pool.acquire() as conn:
        found = await repo.courses_with_sessions(conn, start, end)
    result = []
    for course in found:
        detail = await course_attendance(pool, course["id"], min_percent)
        sessions = detail["sessions"] if detail else []
        result.append(
            {
                "course_id": course["id"],
                "title": course["title"],
                "bookings": course["bookings"],
                "sessions": len(sessions),
                "imported_sessions": [
                    {
                        "date": s["date"],
                        "attended": s["attended_count"],
                        "attendance_rate": rate(s["attended_count"], len(s["bookings"])),
                    }
                    for s in sessions
                    if s["imported"]
                ],
            }
        )
    return result
