"""The list filters the API and the web UI share: same fields, same 422s (pydantic models read
by `service.http.validation.parse_query`; /openapi.json shows them as query parameters)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.adapters import dead_letters, integration_log
from service.adapters.dead_letters import Filter
from service.domain.analytics import Period
from service.domain.numbers import ascii_int
from service.http.fields import Choice, Moment, QueryText
from service.http.validation import Check, parse_query, refuse

SYSTEMS = ("zoom", "calendly")
SYNC_STATUSES = ("ok", "pending", "failed")
DEFAULT_UPCOMING_DAYS = 14
MAX_UPCOMING_DAYS = 366
STATUS_ANY = "any"

Text = Annotated[str | None, QueryText()]
Source = Literal["calendly", "booking", "zoom"]


def _status_filter(raw: str) -> tuple[int | None, int | None, bool]:
    """`429` (exact), `4xx` (class), `none` (no answer: timeout, connection error)."""
    exact = ascii_int(raw, max_digits=3)
    if exact is not None and len(raw) == 3:
        return exact, None, False
    if len(raw) == 3 and raw[0] in "12345" and raw[1:].lower() == "xx":
        return None, int(raw[0]), False
    if raw == "none":
        return None, None, True
    refuse("expected an HTTP status (429), a class (4xx) or none")


def _answer_status(value: Any) -> Any:
    if QueryText().check(value) is not None:
        _status_filter(value)
    return value


class LogFields(BaseModel):
    """What ops ask of the integration log during an incident."""

    system: Annotated[Literal["zoom", "calendly"] | None, Choice(*SYSTEMS)] = Field(
        None, description="vendor"
    )
    status: Annotated[str | None, Check(_answer_status)] = Field(
        None, description="HTTP status (429), a class (4xx) or none (no answer)"
    )
    course_id: Text = Field(None, description="the course that caused the call")
    booking_id: Text = Field(None, description="the booking that caused the call")
    since: Annotated[datetime | None, Moment()] = Field(None, description="from")

    def filter(self) -> integration_log.LogFilter:
        exact, status_class, no_answer = (
            _status_filter(self.status) if self.status else (None, None, False)
        )
        return integration_log.LogFilter(
            system=self.system,
            status=exact,
            status_class=status_class,
            no_answer=no_answer,
            course_id=self.course_id,
            booking_id=self.booking_id,
            since=self.since,
        )


class LetterFields(BaseModel):
    """Which dead letters a bulk replay covers (always open ones)."""

    source: Annotated[Source | None, Choice(*dead_letters.SOURCES)] = Field(
        None, description="the system"
    )
    queue: Annotated[Literal["inbox", "outbox"] | None, Choice(*dead_letters.QUEUES)] = Field(
        None, description="events or Zoom commands"
    )
    type: Text = Field(None, description="event type or outbox command")
    error: Text = Field(None, description="error class or part of its message")
    since: Annotated[datetime | None, Moment()] = Field(None, description="created at or after")

    def filter(self, status: str | None = "open") -> Filter:
        return Filter(
            status=status,
            source=self.source,
            type=self.type,
            error=self.error,
            since=self.since,
            queue=self.queue,
        )


class LetterListFields(LetterFields):
    status: Annotated[
        Literal["open", "replayed", "discarded", "any"] | None,
        Choice(*dead_letters.STATUSES, STATUS_ANY),
    ] = Field(None, description="letter state (default open)")

    def listed(self) -> Filter:
        status = self.status or "open"
        return self.filter(None if status == STATUS_ANY else status)


def log_filter(params: Mapping[str, Any]) -> integration_log.LogFilter:
    """The integration log's filters as the API and the UI take them."""
    return parse_query(LogFields, params).filter()


def letter_filter(values: Mapping[str, Any], *, with_status: bool) -> Filter:
    """The dead letters' filters; without `with_status` only open letters."""
    if not with_status:
        return parse_query(LetterFields, values).filter()
    return parse_query(LetterListFields, values).listed()


class PeriodFields(BaseModel):
    """The analytics' period: `from` inclusive, `to` exclusive, grouped by week or month."""

    model_config = ConfigDict(populate_by_name=True)

    start: Annotated[datetime | None, Moment()] = Field(
        None, alias="from", description="ISO-8601 date or date-time (inclusive)"
    )
    end: Annotated[datetime | None, Moment()] = Field(
        None, alias="to", description="ISO-8601 date or date-time (exclusive)"
    )


class GroupedPeriodFields(PeriodFields):
    group: Annotated[Period, Choice(*Period)] = Field(Period.WEEK, description="default week")
