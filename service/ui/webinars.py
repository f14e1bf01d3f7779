"""The Webinars page: a card per upcoming event with its counts, "Sync now", "Last sync:"."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response

from service.adapters import sync_jobs, webinars
from service.adapters.sync_jobs import SyncRequest
from service.domain.numbers import ascii_int
from service.domain.sync_jobs import SyncMode
from service.http import keyset
from service.http.errors import REFUSALS, status_of
from service.http.filters import DEFAULT_UPCOMING_DAYS, MAX_UPCOMING_DAYS
from service.http.runtime import runtime
from service.services import calendly_sync
from service.ui.forms import actor
from service.ui.render import language, render, translator

CARDS_PER_PAGE = 60
RECENT_DAYS = 14  # held webinars stay on the page this long, for their attendance


def _days(request: Request) -> int | None:
    raw = request.query_params.get("days", str(DEFAULT_UPCOMING_DAYS))
    days = ascii_int(raw)
    return days if days is not None and 1 <= days <= MAX_UPCOMING_DAYS else None


async def _page(
    request: Request,
    *,
    job: dict[str, object] | None = None,
    status: int = 200,
    error: str | None = None,
) -> Response:
    t = translator(language(request))
    days = _days(request)
    if days is None:
        error, status, days = t("days_invalid", max=MAX_UPCOMING_DAYS), 422, DEFAULT_UPCOMING_DAYS
    try:
        after = keyset.after_time_and_id(request.query_params.get("cursor"))
    except REFUSALS:
        after, error, status = None, t("cursor_invalid"), 422
    async with runtime(request).pool.acquire() as conn:
        events = await webinars.upcoming(conn, days=days, after=after, limit=CARDS_PER_PAGE + 1)
        held = [] if after else await webinars.recent(conn, days=RECENT_DAYS, limit=CARDS_PER_PAGE)
        last = await sync_jobs.last_sync(conn)
    more = len(events) > CARDS_PER_PAGE
    events = events[:CARDS_PER_PAGE]
    context = {
        "title": t("nav_webinars"),
        "events": events,
        "held": held,
        "recent_days": RECENT_DAYS,
        "days": days,
        "last_sync": last["at"] if last else None,
        "job": job,
        "next_cursor": keyset.encode(events[-1]["start_time"], events[-1]["id"]) if more else None,
    }
    return render(request, "webinars.html", context, status=status, error=error)


async def show(request: Request) -> Response:
    return await _page(request)


async def start_sync(request: Request) -> Response:
    rt = runtime(request)
    try:
        job_id = await calendly_sync.start(rt, SyncRequest(SyncMode.RECENT), actor(request))
    except REFUSALS as problem:
        return await _page(request, status=status_of(problem), error=problem.message)
    async with rt.pool.acquire() as conn:
        job = await sync_jobs.load_job(conn, job_id)
    return await _page(request, job=job, status=202)


async def sync_status(request: Request) -> Response:
    """The job's progress: a fragment for htmx's polling, else the whole page."""
    try:
        job_id = uuid.UUID(request.path_params["job_id"])
    except ValueError:
        job_id = None
    job = None
    if job_id is not None:
        async with runtime(request).pool.acquire() as conn:
            job = await sync_jobs.load_job(conn, job_id)
    if job is None:
        t = translator(language(request))
        return await _page(request, status=404, error=t("sync_job_unknown"))
    if request.headers.get("hx-request") == "true" and not request.headers.get("hx-boosted"):
        return render(request, "sync_job.html", {"job": job})
    return await _page(request, job=job)
