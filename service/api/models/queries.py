"""The query parameters of the API's lists: read by these models (`parse_query`) where the
handler says so, and shown by /openapi.json."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor
from service.domain.numbers import ascii_int
from service.domain.zoom_attendance import ImportStatus
from service.http.fields import Choice, Limit, QueryText
from service.http.filters import (
    MAX_UPCOMING_DAYS,
    GroupedPeriodFields,
    LetterListFields,
    LogFields,
    PeriodFields,
    Source,
)
from service.http.validation import Check, refuse

Text = Annotated[str | None, QueryText()]


class Paged(BaseModel):
    """Every id-ordered list: `cursor` from the previous page, `limit` rows."""

    cursor: Text = Field(None, description="next_cursor of the previous page")
    limit: Annotated[int, Limit(MAX_LIMIT)] = Field(DEFAULT_LIMIT, description="page size")

    def page(self) -> tuple[int | None, int]:
        """The id to continue before (422 for a cursor this API did not issue) and the size."""
        return decode_cursor(self.cursor), self.limit


def _event_id(value: object) -> int:
    found = ascii_int(value) if isinstance(value, str) else None
    if found is None:
        refuse("required: the id of a Calendly event")
    return found


class ParticipationsQuery(Paged):
    event_id: Annotated[int, Check(_event_id, minimum=1)] = Field(description="the event")


class NotificationsQuery(Paged):
    kind: Text = Field(None, description="only this kind")


class IntegrationLogQuery(LogFields, Paged):
    pass


class DeadLettersQuery(LetterListFields, Paged):
    pass


class InboxQuery(Paged):
    status: Annotated[
        Literal["pending", "done", "ignored", "dead"] | None,
        Choice("pending", "done", "ignored", "dead"),
    ] = Field(None, description="row state")
    source: Annotated[Source | None, Choice("calendly", "booking", "zoom")] = Field(
        None, description="who sent it"
    )
    type: Text = Field(None, description="event type")


class ReconcileRunsQuery(Paged):
    kind: Annotated[Literal["calendly", "zoom"] | None, Choice("calendly", "zoom")] = Field(
        None, description="system"
    )


class ImportsQuery(Paged):
    status: Annotated[ImportStatus | None, Choice(*ImportStatus)] = Field(
        None, description="filter"
    )


class PeriodQuery(PeriodFields):
    pass


class WebinarAnalyticsQuery(GroupedPeriodFields):
    pass


# Described only: these lists read their parameters by hand (cursors over a sort key, every
# problem of a form collected; service/api/calendly.py, users.py, courses.py).


class EventsQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    start_from: str | None = Field(
        None, alias="from", description="ISO-8601 date or date-time: start at or after"
    )
    to: str | None = Field(
        None, description="ISO-8601 date (whole day) or date-time: start at or before"
    )
    status: Literal["active", "canceled"] | None = Field(None, description="only this status")
    cursor: str | None = Field(None, description="next_cursor of the previous page")
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = Field(DEFAULT_LIMIT, description="page size")


class UpcomingQuery(BaseModel):
    days: Annotated[int, Field(ge=1, le=MAX_UPCOMING_DAYS)] = Field(14, description="default 14")
    cursor: str | None = Field(None, description="next_cursor of the previous page")
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = Field(DEFAULT_LIMIT, description="page size")


class UserSearchQuery(BaseModel):
    query: Annotated[str, Field(min_length=1)] = Field(description="search")
    cursor: str | None = Field(None, description="next_cursor of the previous page")
    limit: Annotated[int, Field(ge=1, le=100)] = Field(20, description="page size")


class CoursesQuery(BaseModel):
    sync_status: Literal["ok", "pending", "failed"] | None = Field(None, description="filter")
    cursor: str | None = Field(None, description="next_cursor of the previous page")
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = Field(DEFAULT_LIMIT, description="page size")
