"""The Event page: the attendee table, bulk attendance, add attendee (CONTRACT §6 "Event").

Every change goes through the same use cases as the REST API (service/services/attendee_actions.py)
and the same input rules (service/api/attendees.py), so counts and the teacher pipeline follow
exactly as they do for an API client.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.adapters import user_reads, webinars
from service.domain.attendance import InvalidAttendanceUpdates, parse_attendance_updates
from service.domain.numbers import ascii_int
from service.http import input
from service.http.attendee_input import NewAttendee
from service.http.errors import REFUSALS, status_of
from service.http.runtime import runtime
from service.http.validation import parse
from service.services import attendee_actions
from service.ui.attendee_table import AttendanceFilter, SortKey, View
from service.ui.forms import actor, describe, form_pairs
from service.ui.render import language, render, translator

MARKS: dict[str, bool | None] = {"attended": True, "not_attended": False, "pending": None}
MARK_LABELS = {
    "attended": "attendance_yes",
    "not_attended": "attendance_no",
    "pending": "attendance_pending",
}


def _event_id(request: Request) -> int:
    try:
        return input.path_id(request, "event")
    except REFUSALS:
        return -1


async def page(
    request: Request,
    event_id: int,
    *,
    status: int = 200,
    message: str | None = None,
    error: str | None = None,
    selected: frozenset[int] = frozenset(),
    draft: dict[str, Any] | None = None,
) -> Response:
    t = translator(language(request))
    async with runtime(request).pool.acquire() as conn:
        event = await webinars.event_with_attendees(conn, event_id) if event_id > 0 else None
        if event is None:
            return render(
                request,
                "base.html",
                {"title": t("not_found")},
                status=404,
                error=t("event_unknown", id=request.path_params["id"]),
            )
        linked = sorted({a["user_id"] for a in event["attendees"] if a["user_id"]})
        users = await user_reads.by_ids(conn, linked)
    view = View.from_query(request.query_params)
    active = [a for a in event["attendees"] if a["status"] == "active"]
    counts = {
        "booked": len(active),
        "pending": sum(a["attended"] is None for a in active),
        "attended": sum(a["attended"] is True for a in active),
        "not_attended": sum(a["attended"] is False for a in active),
    }
    names = {user_id: user["name"] for user_id, user in users.items()}
    context: dict[str, Any] = {
        "title": event["name"],
        "event": event,
        "rows": view.apply(event["attendees"], names),
        "users": users,
        "view": view,
        "sort_keys": list(SortKey),
        "filters": list(AttendanceFilter),
        "counts": counts,
        "selected": selected,
        "draft": draft or {},
    }
    return render(request, "event.html", context, status=status, message=message, error=error)


async def show(request: Request) -> Response:
    return await page(request, _event_id(request))


async def mark(request: Request) -> Response:
    """All selected rows get one mark, or none does (the API's bulk update)."""
    event_id = _event_id(request)
    t = translator(language(request))
    pairs = await form_pairs(request)
    form = dict(pairs)
    ids = [value for key, value in pairs if key == "attendee"]
    mark_name = form.get("mark", "")
    selected = frozenset(n for n in map(ascii_int, ids) if n is not None)
    if not ids or mark_name not in MARKS:
        return await page(request, event_id, status=422, error=t("select_rows_first"))
    body = {
        "updates": [{"attendee_id": ascii_int(i) or i, "attended": MARKS[mark_name]} for i in ids]
    }
    try:
        updates = parse_attendance_updates(body)
        rt = runtime(request)
        changed = await attendee_actions.mark_attendance(
            rt.pool, rt.courier, rt.settings, updates, actor(request)
        )
    except InvalidAttendanceUpdates as problem:
        return await page(request, event_id, status=422, error=str(problem), selected=selected)
    except REFUSALS as problem:
        error = describe(problem)
        return await page(
            request, event_id, status=status_of(problem), error=error, selected=selected
        )
    message = t("marked", count=len(changed), mark=t(MARK_LABELS[mark_name]))
    return await page(request, event_id, message=message)


async def add(request: Request) -> Response:
    event_id = _event_id(request)
    t = translator(language(request))
    form = await form_of_fields(request, ("name", "email"))
    try:
        new = parse(NewAttendee, form)
        created = await attendee_actions.add_manual(
            runtime(request).pool, event_id, new.name, new.email, actor(request)
        )
    except REFUSALS as problem:
        return await page(
            request, event_id, status=status_of(problem), error=describe(problem), draft=form
        )
    return await page(request, event_id, message=t("attendee_added", name=created["name"]))


async def form_of_fields(request: Request, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of the form, blank ones as absent values (null in the API)."""
    form = dict(await form_pairs(request))
    return {key: form[key].strip() or None for key in fields if key in form}
