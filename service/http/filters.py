"""The list filters the API and the web UI share: same fields, same 422s (`service.http.query`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.adapters import dead_letters, integration_log
from service.adapters.dead_letters import Filter
from service.domain.numbers import ascii_int
from service.http import query

SYSTEMS = ("zoom", "calendly")
SYNC_STATUSES = ("ok", "pending", "failed")
DEFAULT_UPCOMING_DAYS = 14
MAX_UPCOMING_DAYS = 366
STATUS_ANY = "any"


def _status_filter(raw: str | None) -> tuple[int | None, int | None, bool]:
    """`429` (exact), `4xx` (class), `none` (no answer: timeout, connection error)."""
    if raw is None:
        return None, None, False
    exact = ascii_int(raw, max_digits=3)
    if exact is not None and len(raw) == 3:
        return exact, None, False
    if len(raw) == 3 and raw[0] in "12345" and raw[1:].lower() == "xx":
        return None, int(raw[0]), False
    if raw == "none":
        return None, None, True
    raise query.invalid("status", "expected an HTTP status (429), a class (4xx) or none")


def log_filter(params: Mapping[str, Any]) -> integration_log.LogFilter:
    """The integration log's filters as the API and the UI take them."""
    exact, status_class, no_answer = _status_filter(query.text(params, "status"))
    return integration_log.LogFilter(
        system=query.choice(params, "system", SYSTEMS),
        status=exact,
        status_class=status_class,
        no_answer=no_answer,
        course_id=query.text(params, "course_id"),
        booking_id=query.text(params, "booking_id"),
        since=query.moment(params, "since"),
    )


def letter_filter(values: Mapping[str, Any], *, with_status: bool) -> Filter:
    status = (
        query.choice(values, "status", (*dead_letters.STATUSES, STATUS_ANY)) or "open"
        if with_status
        else "open"
    )
    return Filter(
        status=None if status == STATUS_ANY else status,
        source=query.choice(values, "source", dead_letters.SOURCES),
        type=query.text(values, "type"),
        error=query.text(values, "error"),
        since=query.moment(values, "since"),
        queue=query.choice(values, "queue", dead_letters.QUEUES),
    )
