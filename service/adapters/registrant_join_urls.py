"""Join URLs read from Zoom's registrant list, written to the registrants that lack one."""

from __future__ import annotations

from collections.abc import Mapping

from service.adapters.postgres import Connection


async def fill_join_urls(conn: Connection, meeting_id: int, urls: Mapping[str, str]) -> None:
    """Sets `join_url` where it is missing, for these registrant ids of the meeting."""
    await conn.execute(
        """
        UPDATE zoom_registrants AS r SET join_url = t.join_url, updated_at = now()
          FROM unnest($2::text[], $3::text[]) AS t(registrant_id, join_url)
         WHERE r.meeting_id = $1 AND r.registrant_id = t.registrant_id AND r.join_url IS NULL
        """,
        meeting_id,
        list(urls),
        list(urls.values()),
    )


async def course_commands_open(conn: Connection, course_id: str) -> bool:
    """Whether Zoom commands of this course are waiting or running."""
    found: bool = await conn.fetchval(
        """
        SELECT EXISTS (SELECT 1 FROM outbox
                        WHERE status IN ('pending', 'in_flight') AND cause ->> 'course_id' = $1)
        """,
        course_id,
    )
    return found
