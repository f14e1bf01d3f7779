"""A course's "sync now" (CONTRACT §5): validate again and queue what Zoom needs now.

Failed work is tried again and every error is reported afresh; the caller gets the course
detail and how many Zoom commands were queued.
"""

from __future__ import annotations

from typing import Any

from service.adapters import course_reads
from service.adapters.course_reads import CourseNotFound
from service.adapters.courses import course_repo, meeting_repo
from service.services.course_decisions import course_subject, decide_course
from service.services.resources import Resources
from service.services.unit_of_work import UnitOfWork


async def sync_now(rt: Resources, course_id: str) -> dict[str, Any]:
    async with rt.pool.acquire() as conn:
        unit = UnitOfWork(conn)
        async with conn.transaction():
            await unit.lock(course_subject(course_id))
            if await course_repo.load_course(conn, course_id) is None:
                raise CourseNotFound(f"course {course_id} is not known")
            await meeting_repo.reset_failures(conn, course_id)
            await meeting_repo.clear_meeting_errors(conn, course_id)  # so each is reported afresh
            await decide_course(unit, course_id, {"event": "api.sync", "course_id": course_id})
        detail = await course_reads.detail(conn, course_id)
    await rt.courier.send_outbox(unit.outbox_ids)
    return {**detail, "queued": len(unit.outbox_ids)}
