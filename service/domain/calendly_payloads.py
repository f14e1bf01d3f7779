"""Calendly invitees and scheduled events as immutable snapshots, parsed from webhooks and REST.

A webhook `invitee.*` payload is Calendly's `Invitee` with the `scheduled_event` embedded; the REST
`GET /scheduled_events/{uuid}/invitees` returns the same `Invitee` without the embed, and
`GET /scheduled_events/{uuid}` the same `Event` (calendly-facts §4.2, §5.2, §5.4). Both paths
parse through the same pydantic models here (Calendly's shapes, `_Invitee`, `_Event`, …), so a
webhook and the nightly sync describe an invitee with identical snapshots and the merge in
`calendly_merge` sees one truth. A problem is reported as `MalformedPayload` naming the field.

Timestamps are aware `datetime`s in UTC. Calendly sends `...Z`; a timestamp without an offset is
rejected rather than guessed, because an hour's error would move a webinar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, NoReturn, TypeVar

from pydantic import BaseModel, PlainValidator, ValidationError
from pydantic_core import PydanticCustomError

JsonObject = Mapping[str, object]


class MalformedPayload(ValueError):
    """A Calendly payload lacks a field we rely on, or has it in an unexpected shape.

    `field` is the dotted path (e.g. `payload.scheduled_event.start_time`) so the dead letter
    names the exact place to look.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class CalendlyStatus(StrEnum):
    """Status of an invitee and of a scheduled event; Calendly uses the same two values for both."""

    ACTIVE = "active"
    CANCELED = "canceled"


PHONE_KINDS = frozenset({"outbound_call", "inbound_call"})


@dataclass(frozen=True)
class Location:
    """Where a webinar happens, flattened from Calendly's `Location` oneOf (calendly-facts §5.4).

    - `kind`: Calendly's `type`, except `zoom_conference` (the 2023 spec enum) which is read as
      `zoom` (the spec's own examples); unknown kinds are kept as sent.
    - `join_url`: conference link; `None` while a conference is still `initiated`/`processing`.
      For `custom` / `ask_invitee` text that is an http(s) URL it is that URL too, because admins
      paste meeting links there.
    - `address`: the `location` of a `physical` meeting.
    - `text`: every other free text: `additional_info` of a physical meeting, the phone number of
      `outbound_call` / `inbound_call`, the string of `custom` / `ask_invitee`.
    """

    kind: str
    join_url: str | None = None
    address: str | None = None
    text: str | None = None

    @property
    def label(self) -> str | None:
        """The one string an admin needs: the link, else the address, else the text."""
        return self.join_url or self.address or self.text


@dataclass(frozen=True)
class Cancellation:
    """Who cancelled and why. `canceled_by` is a name per the spec (some samples show a URI)."""

    canceled_by: str | None
    reason: str | None
    canceler_type: str | None  # "host" | "invitee"
    created_at: datetime | None  # added by Calendly in 2022; absent in older payloads


@dataclass(frozen=True)
class NoShow:
    """Calendly's no-show mark on an invitee (`no_show: {uri, created_at}`)."""

    uri: str
    created_at: datetime


@dataclass(frozen=True)
class ScheduledEventSnapshot:
    """One reading of a Calendly scheduled event (the webinar date)."""

    uri: str
    name: str
    status: CalendlyStatus
    start_time: datetime
    end_time: datetime
    event_type: str
    location: Location | None
    cancellation: Cancellation | None
    updated_at: datetime


@dataclass(frozen=True)
class InviteeSnapshot:
    """One reading of a Calendly invitee (one booking of one person on one scheduled event).

    A reschedule creates a new invitee URI: the old one is cancelled with `rescheduled` and
    `new_invitee`, the new one points back through `old_invitee` (calendly-facts §4.3 c).
    """

    uri: str
    event_uri: str
    name: str
    email: str
    status: CalendlyStatus
    cancellation: Cancellation | None
    rescheduled: bool
    old_invitee: str | None
    new_invitee: str | None
    no_show: NoShow | None
    created_at: datetime
    updated_at: datetime


def invitee_from_payload(payload: JsonObject) -> InviteeSnapshot:
    """The invitee of an `invitee.*` / `invitee_no_show.*` webhook payload.

    `payload.event` is the scheduled event's URI (a string in v2, not an object); when it is
    missing, the embedded `scheduled_event.uri` names the same event.
    """
    fields = _read(_InviteePayload, payload, "payload")
    if fields.event is not None:
        event_uri = fields.event
    elif fields.scheduled_event is not None:
        event_uri = _read(_EventUri, fields.scheduled_event, "payload.scheduled_event").uri
    else:
        raise MalformedPayload("payload.event", "missing, and no scheduled_event to take it from")
    return _invitee(fields, event_uri, "payload")


def scheduled_event_from_payload(payload: JsonObject) -> ScheduledEventSnapshot | None:
    """The scheduled event embedded in an `invitee.*` webhook payload; `None` in old payloads.

    Only a snapshot of the moment of the invitee change: for group events the event's status
    does not follow a single invitee (calendly-facts §1.3), so it is merged like any other
    reading, never inferred from the invitee.
    """
    embedded = _read(_Embedding, payload, "payload").scheduled_event
    return None if embedded is None else _scheduled_event(embedded, "payload.scheduled_event")


def scheduled_event_from_rest(resource: JsonObject) -> ScheduledEventSnapshot:
    """A REST `Event` resource; also the payload of `scheduled_event.*` webhooks (same shape)."""
    return _scheduled_event(resource, "resource")


def invitee_from_rest(resource: JsonObject, event_uri: str) -> InviteeSnapshot:
    """A REST `Invitee` listed under the scheduled event `event_uri` (no embedded event there)."""
    return _invitee(_read(_Invitee, resource, "resource"), event_uri, "resource")


def parse_utc(value: str, path: str) -> datetime:
    """An ISO-8601 timestamp with an offset, as UTC (Calendly: `2020-11-23T17:51:19.000000Z`)."""
    try:
        return _utc(value)
    except PydanticCustomError as error:
        raise MalformedPayload(path, error.message()) from None


# --- the fields as Calendly sends them -----------------------------------------------------------


def _refuse(reason: str) -> NoReturn:
    raise PydanticCustomError("calendly_field", "{reason}", {"reason": reason})


def _optional_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    _refuse(f"expected a string, got {type(value).__name__}")


def _text(value: object) -> str:
    text = _optional_text(value)
    if not text:
        _refuse("missing or empty")
    return text


def _utc(value: object) -> datetime:
    text = _text(value)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        _refuse(f"not an ISO-8601 timestamp: {text!r}")
    if parsed.tzinfo is None:
        _refuse(f"timestamp has no UTC offset: {text!r}")
    return parsed.astimezone(UTC)


def _optional_utc(value: object) -> datetime | None:
    return None if value is None else _utc(value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        _refuse(f"expected true/false, got {value!r}")
    return value


def _status(value: object) -> CalendlyStatus:
    text = _text(value)
    if text not in CalendlyStatus._value2member_map_:
        _refuse(f"expected active/canceled, got {text!r}")
    return CalendlyStatus(text)


Text = Annotated[str, PlainValidator(_text)]
OptionalText = Annotated[str | None, PlainValidator(_optional_text)]
Utc = Annotated[datetime, PlainValidator(_utc)]
OptionalUtc = Annotated[datetime | None, PlainValidator(_optional_utc)]
Flag = Annotated[bool, PlainValidator(_flag)]
Status = Annotated[CalendlyStatus, PlainValidator(_status)]
# An object read by a model of its own, at its own path.
Embedded = dict[str, Any]


class _Cancellation(BaseModel):
    canceled_by: OptionalText = None
    reason: OptionalText = None
    canceler_type: OptionalText = None
    created_at: OptionalUtc = None

    def snapshot(self) -> Cancellation:
        return Cancellation(self.canceled_by, self.reason, self.canceler_type, self.created_at)


class _NoShow(BaseModel):
    uri: Text
    created_at: Utc


class _Invitee(BaseModel):
    uri: Text
    name: OptionalText = None
    first_name: OptionalText = None
    last_name: OptionalText = None
    email: Text
    status: Status
    cancellation: _Cancellation | None = None
    rescheduled: Flag = False
    old_invitee: OptionalText = None
    new_invitee: OptionalText = None
    no_show: _NoShow | None = None
    created_at: Utc
    updated_at: Utc


class _InviteePayload(_Invitee):
    event: OptionalText = None
    scheduled_event: Embedded | None = None


class _Embedding(BaseModel):
    scheduled_event: Embedded | None = None


class _EventUri(BaseModel):
    uri: Text


class _Event(BaseModel):
    uri: Text
    name: Text
    status: Status
    start_time: Utc
    end_time: Utc
    event_type: Text
    location: object = None  # a string or one of several objects: `_location`
    cancellation: _Cancellation | None = None
    updated_at: Utc


class _Location(BaseModel):
    type: Text
    location: OptionalText = None
    join_url: OptionalText = None
    additional_info: OptionalText = None


_M = TypeVar("_M", bound=BaseModel)
# pydantic's own error types, said as the readers above say theirs.
_REASONS = {
    "missing": "missing or empty",
    "model_type": "expected an object",
    "dict_type": "expected an object",
}


def _read(model: type[_M], value: object, path: str) -> _M:
    """`value` read by `model`; the first problem becomes a `MalformedPayload` naming its field."""
    try:
        return model.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join([path, *(str(part) for part in first["loc"])])
        raise MalformedPayload(where, _REASONS.get(first["type"], first["msg"])) from None


def _invitee(fields: _Invitee, event_uri: str, path: str) -> InviteeSnapshot:
    return InviteeSnapshot(
        uri=fields.uri,
        event_uri=event_uri,
        name=_person_name(fields, path),
        email=fields.email,
        status=fields.status,
        cancellation=None if fields.cancellation is None else fields.cancellation.snapshot(),
        rescheduled=fields.rescheduled,
        old_invitee=fields.old_invitee,
        new_invitee=fields.new_invitee,
        no_show=None
        if fields.no_show is None
        else NoShow(uri=fields.no_show.uri, created_at=fields.no_show.created_at),
        created_at=fields.created_at,
        updated_at=fields.updated_at,
    )


def _person_name(fields: _Invitee, path: str) -> str:
    """`name` is required by the spec; `first_name`/`last_name` only exist on two-field forms."""
    if fields.name:
        return fields.name
    joined = " ".join(part for part in (fields.first_name, fields.last_name) if part)
    if not joined:
        raise MalformedPayload(f"{path}.name", "missing, and no first_name/last_name")
    return joined


def _scheduled_event(value: object, path: str) -> ScheduledEventSnapshot:
    fields = _read(_Event, value, path)
    if fields.end_time < fields.start_time:
        raise MalformedPayload(f"{path}.end_time", "before start_time")
    return ScheduledEventSnapshot(
        uri=fields.uri,
        name=fields.name,
        status=fields.status,
        start_time=fields.start_time,
        end_time=fields.end_time,
        event_type=fields.event_type,
        location=_location(fields.location, f"{path}.location"),
        cancellation=None if fields.cancellation is None else fields.cancellation.snapshot(),
        updated_at=fields.updated_at,
    )


def _location(value: object, path: str) -> Location | None:
    """Every variant of calendly-facts §5.4, plus the bare string older integrations stored."""
    if value is None:
        return None
    if isinstance(value, str):
        return Location(kind="custom", join_url=_as_url(value), text=value)
    if not isinstance(value, Mapping):
        raise MalformedPayload(path, "neither an object nor a string")
    fields = _read(_Location, value, path)
    kind = "zoom" if fields.type == "zoom_conference" else fields.type
    if kind == "physical":
        return Location(kind=kind, address=fields.location, text=fields.additional_info)
    join_url = fields.join_url
    if join_url is None and kind not in PHONE_KINDS and fields.location is not None:
        join_url = _as_url(fields.location)
    return Location(kind=kind, join_url=join_url, text=fields.location)


def _as_url(text: str) -> str | None:
    stripped = text.strip()
    return stripped if stripped.startswith(("https://", "http://")) else None
