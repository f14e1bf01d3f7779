"""The Analytics page (CONTRACT §8, §6): webinar attendance and no-show rates per week or
month as a chart, the teacher funnel, per-course session attendance; every number also in a
table. The numbers come from service.services.analytics, as the API's; definitions in
docs/attendance.md and docs/ui.md.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.domain.analytics import Period, funnel
from service.http.errors import REFUSALS, status_of
from service.http.filters import GroupedPeriodFields
from service.http.runtime import runtime
from service.http.validation import parse_query
from service.services.analytics import course_stats, pipeline_stats, webinar_stats
from service.ui.chart import horizontal_bars, rate_bars
from service.ui.forms import describe
from service.ui.render import language, render, translator

FUNNEL = (
    ("booked", "funnel-booked"),
    ("attended", "attendance"),
    ("active", "active"),
    ("not_attended", "no-show"),
)


def period_label(start: date | datetime, period: Period) -> str:
    """ISO week (`2026-W41`) or month (`2026-10`): the same in both languages."""
    return start.strftime("%G-W%V" if period is Period.WEEK else "%Y-%m")


def _filters(request: Request) -> tuple[datetime | None, datetime | None, Period]:
    period = parse_query(GroupedPeriodFields, request.query_params)
    return period.start, period.end, period.group


async def show(request: Request) -> Response:
    t = translator(language(request))
    values = request.query_params
    form = {key: values.get(key, "") for key in ("from", "to", "group")}
    status, error = 200, None
    try:
        start, end, period = _filters(request)
    except REFUSALS as problem:
        start, end, period = None, None, Period.WEEK
        status, error = status_of(problem), describe(problem)
    rt = runtime(request)
    webinars = await webinar_stats(rt.pool, start, end, period)
    pipeline = await pipeline_stats(rt.pool, start, end)
    courses = await course_stats(rt.pool, start, end, rt.settings.attendance_min_percent)
    for row in webinars:
        row["label"] = period_label(row["period"], period)
    counts = funnel(webinars, pipeline["transitions"])
    context: dict[str, Any] = {
        "title": t("nav_analytics"),
        "form": form,
        "period": period.value,
        "periods": [p.value for p in Period],
        "webinars": webinars,
        "rates_chart": rate_bars(
            [(r["label"], r["attendance_rate"], r["no_show_rate"]) for r in webinars]
        ),
        "funnel": counts,
        "funnel_keys": [key for key, _ in FUNNEL],
        "funnel_chart": horizontal_bars(
            [(t("funnel_" + key), kind, counts[key]) for key, kind in FUNNEL]
        ),
        "pipeline": pipeline,
        "courses": courses,
    }
    return render(request, "analytics.html", context, status=status, error=error)
