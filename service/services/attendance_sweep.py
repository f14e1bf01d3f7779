"""The attendance sweep, nightly and `webinar-sync attendance import` (CONTRACT §7).

A missed `meeting.ended` loses nothing: every ended instance of the last 30 days (Zoom lists
past instances only that long) of every meeting of ours that has no finished import is queued
for import, through the same `request_import` the webhook uses.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from service.adapters import attendance as repo
from service.adapters.zoom import ZoomClient, ZoomTerminal
from service.domain.zoom_attendance import parse_instant
from service.services.attendance_import import request_import
from service.services.resources import Resources
from service.services.unit_of_work import UnitOfWork

SWEEP_WINDOW = timedelta(days=30)


async def sweep_attendance(
    rt: Resources,
    zoom: ZoomClient,
    meeting_ids: list[int] | None = None,
    since: datetime | None = None,
) -> dict[str, Any]:
    """Queue the import of every ended instance since `since` (default 30 days) not yet done."""
    since = since or datetime.now(UTC) - SWEEP_WINDOW
    if meeting_ids is None:
        async with rt.pool.acquire() as conn:
            meeting_ids = await repo.candidate_meetings(conn, since)
    queued: list[str] = []
    skipped: dict[str, str] = {}
    for meeting_id in meeting_ids:
        cause = {"meeting_id": str(meeting_id), "trigger": "attendance sweep"}
        try:
            instances = await zoom.list_past_instances(meeting_id, cause=cause)
        except ZoomTerminal as error:  # not used in 30 days, or not this account's
            skipped[str(meeting_id)] = str(error)
            continue
        async with rt.pool.acquire() as conn:
            unit = UnitOfWork(conn)
            for instance in instances:
                started = parse_instant(instance.get("start_time"))
                uuid = instance.get("uuid")
                if not isinstance(uuid, str) or (started is not None and started < since):
                    continue
                async with conn.transaction():
                    if await request_import(
                        unit,
                        meeting_id,
                        uuid=uuid,
                        started_at=started,
                        ended_at=None,
                        cause="attendance sweep",
                    ):
                        queued.append(uuid)
        await rt.courier.send_outbox(unit.outbox_ids)
    return {"meetings": len(meeting_ids), "queued": queued, "skipped": skipped}
