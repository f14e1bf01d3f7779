"""Zoom's attendance on Calendly attendees: marks, audit, pipeline, no-shows (CONTRACT §7).

The marks of an event are recomputed from the seconds of every imported instance of it (a
restarted meeting adds up) each time one is imported or a participant is linked. A mark made by
hand stays; Zoom's figure is stored beside it. A changed mark is audited as `zoom`, moves the
teacher pipeline through the same `refresh_pipeline` a mark by hand uses, and queues the
Calendly no-show (when they are pushed).
"""

from __future__ import annotations

from typing import Any

from service.adapters import attendance as repo
from service.adapters import attendee_admin
from service.config import Settings
from service.domain.zoom_attendance import AttendanceRules, AttendanceSource, zoom_mark
from service.services.no_show_queue import attendance_changed
from service.services.pipeline import refresh_pipeline
from service.services.unit_of_work import UnitOfWork


def attendance_rules(settings: Settings) -> AttendanceRules:
    return AttendanceRules(settings.attendance_min_percent, settings.push_no_shows)


async def apply_event_marks(unit: UnitOfWork, rules: AttendanceRules, event: Any) -> int:
    """Set Zoom's marks on the event's active attendees; returns how many changed."""
    conn = unit.conn
    ids = await attendee_admin.active_ids_of_event(conn, event["id"])
    for key in await attendee_admin.lock_keys(conn, ids):
        await unit.lock(key)
    rows = await repo.event_attendees(conn, event["id"])
    if not rows:
        return 0
    seconds = await repo.event_seconds(conn, event["id"])
    scheduled = int((event["end_time"] - event["start_time"]).total_seconds())
    marks = {
        r["id"]: zoom_mark(
            r["attended"],
            AttendanceSource(r["attendance_source"]) if r["attendance_source"] else None,
            seconds.get(r["id"], 0),
            scheduled,
            rules.min_percent,
        )
        for r in rows
    }
    await repo.set_zoom_marks(conn, marks)
    changed = [r for r in rows if marks[r["id"]].changed]
    for teacher in sorted({r["user_id"] for r in changed if r["user_id"]}):
        await refresh_pipeline(conn, teacher, "attendance imported from Zoom")
    if rules.push_no_shows:
        await attendance_changed(unit, [r["id"] for r in changed])
    return len(changed)
