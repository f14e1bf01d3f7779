"""The query parameters of the API's lists, as /openapi.json describes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.api.pagination import MAX_LIMIT
from service.http.filters import MAX_UPCOMING_DAYS

Cursor = Annotated[str | None, Field(description="next_cursor of the previous page")]
Limit = Annotated[int | None, Field(ge=1, le=MAX_LIMIT, description="page size")]
From = Annotated[
    str | None, Field(alias="from", description="ISO-8601 date or date-time (inclusive)")
]
To = Annotated[str | None, Field(description="ISO-8601 date or date-time (exclusive)")]
Source = Literal["calendly", "booking", "zoom"]
ALIASES = ConfigDict(populate_by_name=True)


class Paged(BaseModel):
    cursor: Cursor = None
    limit: Limit = None


class EventsQuery(BaseModel):
    model_config = ALIASES

    start_from: Annotated[
        str | None,
        Field(alias="from", description="ISO-8601 date or date-time: start at or after"),
    ] = None
    to: Annotated[
        str | None,
        Field(description="ISO-8601 date (whole day) or date-time: start at or before"),
    ] = None
    status: Annotated[
        Literal["active", "canceled"] | None, Field(description="only this status")
    ] = None
    cursor: Cursor = None
    limit: Limit = None


class UpcomingQuery(BaseModel):
    days: Annotated[int | None, Field(ge=1, le=MAX_UPCOMING_DAYS, description="default 14")] = None
    cursor: Cursor = None
    limit: Limit = None


class ParticipationsQuery(BaseModel):
    event_id: Annotated[int, Field(ge=1, description="the event")]
    cursor: Cursor = None
    limit: Limit = None


class UserSearchQuery(BaseModel):
    query: Annotated[str, Field(min_length=1, description="search")]
    cursor: Cursor = None
    limit: Annotated[int | None, Field(ge=1, le=100, description="page size")] = None


class CoursesQuery(BaseModel):
    sync_status: Annotated[
        Literal["ok", "pending", "failed"] | None, Field(description="filter")
    ] = None
    cursor: Cursor = None
    limit: Limit = None


class DeadLettersQuery(BaseModel):
    source: Annotated[Source | None, Field(description="the system")] = None
    queue: Annotated[
        Literal["inbox", "outbox"] | None, Field(description="events or Zoom commands")
    ] = None
    type: Annotated[str | None, Field(description="event type or outbox command")] = None
    error: Annotated[str | None, Field(description="error class or part of its message")] = None
    status: Annotated[
        Literal["open", "replayed", "discarded", "any"] | None,
        Field(description="letter state (default open)"),
    ] = None
    since: Annotated[datetime | None, Field(description="created at or after")] = None
    cursor: Cursor = None
    limit: Limit = None


class IntegrationLogQuery(BaseModel):
    system: Annotated[Literal["zoom", "calendly"] | None, Field(description="vendor")] = None
    status: Annotated[
        str | None, Field(description="HTTP status (429), a class (4xx) or none (no answer)")
    ] = None
    course_id: Annotated[str | None, Field(description="the course that caused the call")] = None
    booking_id: Annotated[str | None, Field(description="the booking that caused the call")] = None
    since: Annotated[datetime | None, Field(description="from")] = None
    cursor: Cursor = None
    limit: Limit = None


class InboxQuery(BaseModel):
    status: Annotated[
        Literal["pending", "done", "ignored", "dead"] | None, Field(description="row state")
    ] = None
    source: Annotated[Source | None, Field(description="who sent it")] = None
    type: Annotated[str | None, Field(description="event type")] = None
    cursor: Cursor = None
    limit: Limit = None


class ReconcileRunsQuery(BaseModel):
    kind: Annotated[Literal["calendly", "zoom"] | None, Field(description="system")] = None
    cursor: Cursor = None
    limit: Limit = None


class ImportsQuery(BaseModel):
    status: Annotated[Literal["pending", "done", "failed"] | None, Field(description="filter")] = (
        None
    )
    cursor: Cursor = None
    limit: Limit = None


class PeriodQuery(BaseModel):
    model_config = ALIASES

    start: From = None
    to: To = None


class WebinarAnalyticsQuery(PeriodQuery):
    group: Annotated[Literal["week", "month"] | None, Field(description="default week")] = None


class NotificationsQuery(Paged):
    kind: Annotated[str | None, Field(description="only this kind")] = None
