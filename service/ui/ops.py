"""Ops pages: dead letters (replay, discard, replay matching) and the integration log.

The filters are read by the same functions as the ops API's (service/api/dead_letters.py,
service/api/ops.py), and the actions are the same use cases (service/services/).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.adapters import dead_letters, integration_log
from service.adapters.dead_letters import AlreadyResolved, NotFound
from service.domain.numbers import ascii_int
from service.http.errors import REFUSALS, ApiError, status_of
from service.http.filters import SYSTEMS, letter_filter, log_filter
from service.http.runtime import runtime
from service.services import dead_letter_actions
from service.ui.forms import actor, describe, form_of
from service.ui.render import first_rows, language, render, translator

MAX_ROWS = 200
FILTER_FIELDS = ("source", "type", "error")


def _letter_id(request: Request) -> int:
    raw = request.path_params["id"]
    return ascii_int(raw) or -1


async def letters_page(
    request: Request,
    *,
    status: int = 200,
    message: str | None = None,
    error: str | None = None,
    preview: dict[str, Any] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    t = translator(language(request))
    filters = values if values is not None else dict(request.query_params)
    letters: list[dict[str, Any]] = []
    try:
        where = letter_filter(filters, with_status=True)
        async with runtime(request).pool.acquire() as conn:
            letters = await dead_letters.list_letters(
                conn, where, before_id=None, limit=MAX_ROWS + 1
            )
    except REFUSALS as problem:
        status, error = status_of(problem), describe(problem)
    context = {
        "title": t("nav_dead_letters"),
        **first_rows(letters, MAX_ROWS),
        "sources": dead_letters.SOURCES,
        "filters": {key: filters.get(key, "") for key in (*FILTER_FIELDS, "status")},
        "statuses": (*dead_letters.STATUSES, "any"),
        "preview": preview,
    }
    return render(
        request, "dead_letters.html", context, status=status, message=message, error=error
    )


async def list_letters(request: Request) -> Response:
    return await letters_page(request)


async def letter_page(
    request: Request, *, status: int = 200, message: str | None = None, error: str | None = None
) -> Response:
    t = translator(language(request))
    try:
        async with runtime(request).pool.acquire() as conn:
            letter = await dead_letters.get_letter(conn, _letter_id(request))
    except NotFound:
        return render(
            request,
            "base.html",
            {"title": t("not_found")},
            status=404,
            error=t("letter_unknown", id=request.path_params["id"]),
        )
    context = {"title": t("dead_letter", id=letter["id"]), "letter": letter}
    return render(request, "dead_letter.html", context, status=status, message=message, error=error)


async def show_letter(request: Request) -> Response:
    return await letter_page(request)


async def replay(request: Request) -> Response:
    t = translator(language(request))
    try:
        outcome = await dead_letter_actions.replay_one(
            runtime(request), _letter_id(request), actor(request), dry_run=False
        )
    except NotFound:
        return await letter_page(request, status=404, error=t("letter_gone"))
    except AlreadyResolved as problem:
        return await letter_page(request, status=409, error=str(problem))
    return await letter_page(request, message=t("replayed", result=outcome.result))


async def discard(request: Request) -> Response:
    t = translator(language(request))
    reason = (await form_of(request)).get("reason", "").strip()
    if not reason:
        return await letter_page(request, status=422, error=t("reason_required"))
    try:
        await dead_letter_actions.discard(
            runtime(request), _letter_id(request), actor(request), reason
        )
    except NotFound:
        return await letter_page(request, status=404, error=t("letter_gone"))
    except AlreadyResolved as problem:
        return await letter_page(request, status=409, error=str(problem))
    return await letter_page(request, message=t("discarded"))


async def replay_matching(request: Request) -> Response:
    """First a dry run that says how many letters match; "Confirm replay" then replays them."""
    t = translator(language(request))
    form = await form_of(request)
    values = {key: form.get(key, "") for key in FILTER_FIELDS}
    confirm = form.get("confirm") == "yes"
    try:
        where = letter_filter(values, with_status=False)
        if where.is_empty():
            raise ApiError(422, t("filter_required"))
        outcomes = await dead_letter_actions.replay_matching(
            runtime(request), where, actor(request), dry_run=not confirm
        )
    except REFUSALS as problem:
        return await letters_page(
            request, status=status_of(problem), error=describe(problem), values=values
        )
    result = dead_letter_actions.summary(outcomes, dry_run=not confirm)
    if confirm:
        message = t("replayed_matching", n=result["matched"])
        return await letters_page(request, message=message, values=values)
    message = t("would_replay", n=result["matched"])
    return await letters_page(request, message=message, preview=result, values=values)


async def log_page(request: Request) -> Response:
    t = translator(language(request))
    params = dict(request.query_params)
    status, error, rows = 200, None, []
    try:
        where = log_filter(params)
        async with runtime(request).pool.acquire() as conn:
            rows = await integration_log.list_calls(conn, where, before_id=None, limit=MAX_ROWS + 1)
    except REFUSALS as problem:
        status, error = status_of(problem), describe(problem)
    context = {
        "title": t("nav_integration_log"),
        **first_rows(rows, MAX_ROWS),
        "systems": SYSTEMS,
        "filters": {key: params.get(key, "") for key in ("system", "status", "course_id")},
    }
    return render(request, "integration_log.html", context, status=status, error=error)
