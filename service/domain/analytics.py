"""The analytics numbers' definitions (CONTRACT §8; written out in docs/attendance.md)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from service.domain.pipeline import PipelineStatus

SCHOOL_ACTIVE = PipelineStatus.SCHULE_AKTIV.api_name


class Period(StrEnum):
    """How webinar numbers are grouped: by ISO week (Monday 00:00 UTC) or calendar month."""

    WEEK = "week"
    MONTH = "month"


def rate(part: int, whole: int) -> float | None:
    """`part ÷ whole`, rounded to four places; None when `whole` is 0 (nothing to rate)."""
    if whole == 0:
        return None
    return round(part / whole, 4)


def webinar_rates(attended: int, not_attended: int) -> dict[str, float | None]:
    """Attendance and no-show rate over the marked ones only (pending and cancelled excluded)."""
    marked = attended + not_attended
    return {"attendance_rate": rate(attended, marked), "no_show_rate": rate(not_attended, marked)}


def funnel(webinars: list[dict[str, Any]], transitions: list[dict[str, Any]]) -> dict[str, int]:
    """The teacher funnel of a period (docs/ui.md): `booked` = active attendees of the period's
    webinars, split into `attended`, `not_attended` (and pending, the rest); `active` = teachers
    who became school active in the period (pipeline transitions into `schule_aktiv`)."""
    return {
        "booked": sum(p["booked"] - p["cancelled"] for p in webinars),
        "attended": sum(p["attended"] for p in webinars),
        "not_attended": sum(p["not_attended"] for p in webinars),
        "active": sum(t["count"] for t in transitions if t["to"] == SCHOOL_ACTIVE),
    }
