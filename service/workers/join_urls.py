"""Join URLs that a registrant add left out, read in pages of the meeting's registrant list.

Zoom "will not return `join_url` if the meeting was created with `approval_type` 1", and ours
are. One GET per registrant would double the calls per registrant (and take the adds' Light
quota); instead the adds of one meeting are gathered and one read of its approved registrants
(up to 300 per page, Medium quota) fills every missing join URL of them at once. The read
waits until the meeting has been quiet for QUIET_S, at most LINGER_S after the first add it
serves, or until a page is full; an add after the read began schedules the next one.

The registrant is recorded (approved, without join URL) before its fill is scheduled, so a
fill that fails or a process that stops leaves the URL empty, never wrong, until the meeting's
next fill (any later add without a URL schedules one; it fills every registrant lacking one).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg

from service.adapters.registrant_join_urls import fill_join_urls
from service.adapters.zoom import ZoomClient
from service.logs import get_logger

QUIET_S = 0.5
LINGER_S = 10.0
PAGE = 300  # Zoom's largest page_size for the registrant list
log = get_logger(__name__)


@dataclass
class _Due:
    first: float
    last: float
    waiting: int
    cause: dict[str, str]


class JoinUrlPages:
    """Per worker process (one event loop): the fills scheduled, one per meeting at a time."""

    def __init__(self) -> None:
        self._due: dict[int, _Due] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def fill_later(
        self, zoom: ZoomClient, pool: asyncpg.Pool, meeting_id: int, cause: dict[str, str]
    ) -> None:
        """Schedule the read that fills this meeting's missing join URLs (call after commit)."""
        now = asyncio.get_running_loop().time()
        due = self._due.get(meeting_id)
        if due is not None:
            due.last, due.waiting = now, due.waiting + 1
            return
        self._due[meeting_id] = _Due(now, now, 1, {"course_id": cause.get("course_id", "")})
        task = asyncio.create_task(self._fill(zoom, pool, meeting_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fill(self, zoom: ZoomClient, pool: asyncpg.Pool, meeting_id: int) -> None:
        due = self._due[meeting_id]
        loop = asyncio.get_running_loop()
        while due.waiting < PAGE:
            at = min(due.first + LINGER_S, due.last + QUIET_S)
            if loop.time() >= at:
                break
            await asyncio.sleep(at - loop.time())
        del self._due[meeting_id]  # from here on, an add schedules the next read
        try:
            listed = await zoom.list_registrants(meeting_id, "approved", cause=due.cause)
            urls = {
                str(r["id"]): str(r["join_url"])
                for r in listed
                if r.get("id") and r.get("join_url")
            }
            async with pool.acquire() as conn:
                await fill_join_urls(conn, meeting_id, urls)
        except Exception as error:  # the URLs stay empty until the meeting's next fill
            log.warning("join URLs not read", meeting_id=meeting_id, error=repr(error))
