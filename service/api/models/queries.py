"""The query parameters of the API's lists: read by these models (`parse_query`) and shown
by /openapi.json."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor
from service.domain.instants import InvalidInstant, parse_instant
from service.domain.numbers import ascii_int
from service.domain.users import search_key
from service.domain.zoom_attendance import ImportStatus
from service.http.fields import Choice, Limit, QueryText, instant
from service.http.filters import (
    DEFAULT_UPCOMING_DAYS,
    MAX_UPCOMING_DAYS,
    SYNC_STATUSES,
    GroupedPeriodFields,
    LetterListFields,
    LogFields,
    PeriodFields,
    Source,
)
from service.http.input import storable
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


def _instant(value: Any) -> datetime | None:
    text = QueryText().check(value)
    return None if text is None else instant(text)


def _before(value: Any) -> datetime | None:
    """`to` as the exclusive bound: a date includes that whole day (UTC)."""
    text = QueryText().check(value)
    if text is None:
        return None
    try:
        moment, date_only = parse_instant(text)
    except InvalidInstant as error:
        refuse(str(error))
    return moment + (timedelta(days=1) if date_only else timedelta(microseconds=1))


class EventsQuery(BaseModel):
    """Every problem listed at once (the order of the fields); the cursor is read after."""

    model_config = ConfigDict(populate_by_name=True)

    start_from: Annotated[datetime | None, Check(_instant, format=None)] = Field(
        None, alias="from", description="ISO-8601 date or date-time: start at or after"
    )
    start_before: Annotated[datetime | None, Check(_before, format=None)] = Field(
        None, alias="to", description="ISO-8601 date (whole day) or date-time: start at or before"
    )
    status: Annotated[Literal["active", "canceled"] | None, Choice("active", "canceled")] = Field(
        None, description="only this status"
    )
    limit: Annotated[int, Limit(MAX_LIMIT)] = Field(DEFAULT_LIMIT, description="page size")
    cursor: Text = Field(None, description="next_cursor of the previous page")


def _days(value: Any) -> int:
    days = ascii_int(value) if isinstance(value, str) else None
    if days is None or not 1 <= days <= MAX_UPCOMING_DAYS:
        refuse(f"expected a whole number 1–{MAX_UPCOMING_DAYS}")
    return days


class UpcomingQuery(BaseModel):
    days: Annotated[int, Check(_days, minimum=1, maximum=MAX_UPCOMING_DAYS)] = Field(
        DEFAULT_UPCOMING_DAYS, description="how many days ahead"
    )
    limit: Annotated[int, Limit(MAX_LIMIT)] = Field(DEFAULT_LIMIT, description="page size")
    cursor: Text = Field(None, description="next_cursor of the previous page")


USER_QUERY_MAX = 100
USERS_PER_PAGE = 20
MAX_USERS_PER_PAGE = 100


def _search(value: Any) -> str:
    text = QueryText().check(value)
    if text is None or not search_key(text) or not storable(text):
        refuse("required: at least one letter or digit of a name or email")
    if len(text) > USER_QUERY_MAX:
        refuse(f"at most {USER_QUERY_MAX} characters")
    return text


class UserSearchQuery(BaseModel):
    query: Annotated[str, Check(_search, minLength=1, maxLength=USER_QUERY_MAX)] = Field(
        description="a prefix of a name word or of the email"
    )
    limit: Annotated[int, Limit(MAX_USERS_PER_PAGE)] = Field(
        USERS_PER_PAGE, description="page size"
    )
    cursor: Text = Field(None, description="next_cursor of the previous page")


class CoursesQuery(BaseModel):
    sync_status: Annotated[Literal["ok", "pending", "failed"] | None, Choice(*SYNC_STATUSES)] = (
        Field(None, description="filter")
    )
    cursor: Text = Field(None, description="next_cursor of the previous page")
    limit: Annotated[int, Limit(MAX_LIMIT)] = Field(DEFAULT_LIMIT, description="page size")
