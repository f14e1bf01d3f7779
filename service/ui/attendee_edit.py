"""Editing one attendee: prognosis, notes, and linking a teacher found by search."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.adapters import user_reads, webinars
from service.domain.numbers import ascii_int
from service.domain.users import search_key
from service.http import input
from service.http.attendee_input import AttendeeEdit
from service.http.errors import REFUSALS, status_of
from service.http.runtime import runtime
from service.http.validation import parse
from service.services import attendee_actions
from service.ui.event import form_of_fields
from service.ui.forms import actor, describe
from service.ui.render import language, render, translator

SEARCH_RESULTS = 20
FIELDS = ("prognosis_class_count", "prognosis_start", "notes")


def _attendee_id(request: Request) -> int:
    try:
        return input.path_id(request, "attendee")
    except REFUSALS:
        return -1


async def page(
    request: Request,
    *,
    status: int = 200,
    message: str | None = None,
    error: str | None = None,
) -> Response:
    t = translator(language(request))
    attendee_id = _attendee_id(request)
    query = request.query_params.get("q", "").strip()
    async with runtime(request).pool.acquire() as conn:
        found = await webinars.attendees_by_id(conn, [attendee_id]) if attendee_id > 0 else []
        if not found:
            return render(
                request,
                "base.html",
                {"title": t("not_found")},
                status=404,
                error=t("attendee_unknown", id=request.path_params["id"]),
            )
        attendee = found[0]
        folded = search_key(query)
        results = await user_reads.teachers(conn, folded, SEARCH_RESULTS) if folded else []
        linked = await user_reads.by_ids(conn, [attendee["user_id"]] if attendee["user_id"] else [])
    context: dict[str, Any] = {
        "title": t("edit_attendee", name=attendee["name"]),
        "a": attendee,
        "q": query,
        "results": results,
        "searched": bool(folded),
        "linked": linked.get(attendee["user_id"] or ""),
    }
    return render(
        request, "attendee_edit.html", context, status=status, message=message, error=error
    )


async def show(request: Request) -> Response:
    return await page(request)


async def _apply(request: Request, body: dict[str, Any], done: str) -> Response:
    try:
        changes = parse(AttendeeEdit, body).changes()
        await attendee_actions.edit(
            runtime(request).pool, _attendee_id(request), changes, actor(request)
        )
    except REFUSALS as problem:
        return await page(request, status=status_of(problem), error=describe(problem))
    return await page(request, message=done)


async def save(request: Request) -> Response:
    t = translator(language(request))
    body = await form_of_fields(request, FIELDS)
    count = body.get("prognosis_class_count")
    if isinstance(count, str) and (number := ascii_int(count)) is not None:
        body["prognosis_class_count"] = number
    return await _apply(request, body, t("saved"))


async def link(request: Request) -> Response:
    t = translator(language(request))
    body = await form_of_fields(request, ("user_id",))
    return await _apply(request, {"user_id": body.get("user_id")}, t("linked"))
