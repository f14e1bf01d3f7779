"""Join URLs that a registrant add left out, read in pages of the meeting's registrant list.

Zoom "will not return `join_url` if the meeting was created with `approval_type` 1", and ours
are. One GET per registrant would double the calls per registrant; instead one read of the
meeting's approved registrants (up to 300 per page, Medium quota, away from the adds' Light
quota) fills every missing join URL at once. It runs once the course has no Zoom command open
(the burst of adds is over; checked every POLL_S), at the latest LINGER_S after the first add it
serves, so a course's 50 or 300 adds cost one or two reads.

The registrant is recorded (approved, without join URL) before its read is scheduled, so a read
that fails or a process that stops leaves the URL empty, never wrong, until the meeting's next
read (any later add without a URL schedules one; it fills every registrant lacking one).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg

from service.adapters.registrant_join_urls import course_commands_open, fill_join_urls
from service.adapters.zoom import ZoomClient
from service.logs import get_logger

LINGER_S = 30.0
POLL_S = 0.25
log = get_logger(__name__)


@dataclass(frozen=True)
class _Read:
    at: float  # loop time by which it runs, whatever is still open
    course_id: str


class JoinUrlPages:
    """Per worker process (one event loop): the reads scheduled, one per meeting at a time."""

    def __init__(self) -> None:
        self._reads: dict[int, _Read] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def fill_later(
        self, zoom: ZoomClient, pool: asyncpg.Pool, meeting_id: int, course_id: str
    ) -> None:
        """Schedule the read that fills this meeting's missing join URLs (call after commit)."""
        if meeting_id in self._reads:
            return  # the read scheduled runs after this add: it will see it
        read = _Read(asyncio.get_running_loop().time() + LINGER_S, course_id)
        self._reads[meeting_id] = read
        task = asyncio.create_task(self._read(zoom, pool, meeting_id, read))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read(
        self, zoom: ZoomClient, pool: asyncpg.Pool, meeting_id: int, read: _Read
    ) -> None:
        try:
            try:
                await _burst_over(pool, read)
            finally:
                del self._reads[meeting_id]  # from here on, an add schedules the next read
            cause = {"course_id": read.course_id}
            listed = await zoom.list_registrants(meeting_id, "approved", cause=cause)
            urls = {str(r["id"]): str(r["join_url"]) for r in listed if r.get("join_url")}
            async with pool.acquire() as conn:
                await fill_join_urls(conn, meeting_id, urls)
        except Exception as error:  # the URLs stay empty until the meeting's next read
            log.warning("join URLs not read", meeting_id=meeting_id, error=repr(error))


async def _burst_over(pool: asyncpg.Pool, read: _Read) -> None:
    """Returns once the course has no Zoom command open, or when the read is due anyway."""
    while asyncio.get_running_loop().time() < read.at:
        await asyncio.sleep(POLL_S)
        async with pool.acquire() as conn:
            if not await course_commands_open(conn, read.course_id):
                return
