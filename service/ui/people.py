"""Teachers (search, pipeline stage of each, count per stage) and Notifications."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from service.adapters import notifications, user_reads
from service.domain.users import search_key
from service.http.runtime import runtime
from service.ui.render import first_rows, language, render, translator

MAX_ROWS = 200
# Notification kinds with a "what to do" line in the catalogues (`todo_<kind>`).
KINDS_WITH_ADVICE = frozenset(
    {"sync_failed", "validation", "subscription_disabled", "reconcile_drift"}
)


async def teachers_page(request: Request) -> Response:
    t = translator(language(request))
    query = request.query_params.get("q", "").strip()
    async with runtime(request).pool.acquire() as conn:
        rows = await user_reads.teachers(conn, search_key(query) or None, MAX_ROWS + 1)
        counts = await user_reads.stage_counts(conn)
    shown = first_rows(rows, MAX_ROWS)
    context = {"title": t("nav_teachers"), **shown, "teachers": shown["rows"], "counts": counts}
    context["q"] = query
    return render(request, "teachers.html", context)


async def notifications_page(request: Request) -> Response:
    t = translator(language(request))
    async with runtime(request).pool.acquire() as conn:
        rows = await notifications.list_recent(conn, kind=None, before_id=None, limit=MAX_ROWS + 1)
    context = {
        "title": t("nav_notifications"),
        **first_rows(rows, MAX_ROWS),
        "advice": KINDS_WITH_ADVICE,
    }
    return render(request, "notifications.html", context)
