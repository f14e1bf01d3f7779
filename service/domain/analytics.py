"""The analytics numbers' definitions (CONTRACT §8; written out in docs/attendance.md)."""

from __future__ import annotations

from enum import StrEnum


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
