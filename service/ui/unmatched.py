"""Unmatched participants (CONTRACT §7, §6): Zoom participants no registrant id or email
matched, each with a "Link" to an attendee of the instance's event or a booking of its course.

Linking is the API's use case (service.services.attendance.link_unmatched) with the same
rules and courier, so marks, pipeline and no-shows follow as for `POST …/unmatched/{id}/link`.
An ops session sees the list; its POST is refused by service/ui/guard.py.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.adapters import course_reads, webinars
from service.adapters.course_reads import CourseNotFound
from service.domain.numbers import ascii_int
from service.http.errors import REFUSALS, status_of
from service.http.input import storable
from service.http.runtime import runtime
from service.services.attendance import link_unmatched, list_unmatched
from service.services.attendance_marks import attendance_rules
from service.ui.forms import actor, describe, form_of
from service.ui.render import language, render, translator

MAX_ROWS = 200
ATTENDEE, BOOKING = "attendee", "booking"


async def _candidates(request: Request, rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Per row id, whom it may be linked to: `(value, label)` of the event's active attendees
    or the course's confirmed bookings."""
    found: dict[str, list[Any]] = {}
    async with runtime(request).pool.acquire() as conn:
        for event_id in {r["calendly_event_id"] for r in rows if r["calendly_event_id"]}:
            event = await webinars.event_with_attendees(conn, event_id)
            found[f"e{event_id}"] = [
                (f"{ATTENDEE}:{a['id']}", f"{a['name']} <{a['email']}>")
                for a in (event or {}).get("attendees", [])
                if a["status"] == "active"
            ]
        for course_id in {r["course_id"] for r in rows if r["course_id"]}:
            try:
                course = await course_reads.detail(conn, course_id)
            except CourseNotFound:
                continue
            found[f"c{course_id}"] = [
                (f"{BOOKING}:{b['id']}", f"{b['id']} <{b['email']}>")
                for b in course["bookings"]
                if b["status"] == "confirmed"
            ]
    return {
        str(r["id"]): found.get(f"e{r['calendly_event_id']}", [])
        + found.get(f"c{r['course_id']}", [])
        for r in rows
    }


async def page(
    request: Request, *, status: int = 200, message: str | None = None, error: str | None = None
) -> Response:
    t = translator(language(request))
    listed = await list_unmatched(runtime(request).pool, limit=MAX_ROWS)
    rows = listed["items"]
    context = {
        "title": t("nav_unmatched"),
        "rows": rows,
        "more": listed["next_before_id"] is not None,
        "limit": MAX_ROWS,
        "candidates": await _candidates(request, rows),
    }
    return render(request, "unmatched.html", context, status=status, message=message, error=error)


async def show(request: Request) -> Response:
    return await page(request)


def _target(value: str) -> tuple[int | None, str | None] | None:
    kind, _, key = value.partition(":")
    if kind == ATTENDEE and (attendee_id := ascii_int(key)):
        return attendee_id, None
    if kind == BOOKING and key.strip() and len(key) <= 100 and storable(key):
        return None, key
    return None


async def link(request: Request) -> Response:
    t = translator(language(request))
    raw_id = request.path_params["id"]
    target = _target((await form_of(request)).get("target", ""))
    unmatched_id = ascii_int(raw_id)
    if not unmatched_id:
        return await page(request, status=404, error=t("unmatched_unknown", id=raw_id))
    if target is None:
        return await page(request, status=422, error=t("link_target_required"))
    attendee_id, booking_id = target
    rt = runtime(request)
    try:
        linked = await link_unmatched(
            rt.pool,
            unmatched_id,
            attendee_id=attendee_id,
            booking_id=booking_id,
            by=actor(request),
            rules=attendance_rules(rt.settings),
            courier=rt.courier,
        )
    except REFUSALS as problem:
        return await page(request, status=status_of(problem), error=describe(problem))
    name = linked["name"] or linked["email"] or raw_id
    if attendee_id is not None:
        async with rt.pool.acquire() as conn:
            [attendee] = await webinars.attendees_by_id(conn, [attendee_id])
        whom = str(attendee["name"])
    else:
        whom = t("booking_n", id=booking_id)
    return await page(request, message=t("unmatched_linked", name=name, target=whom))
