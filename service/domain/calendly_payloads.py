"""Calendly invitees and scheduled events as immutable snapshots, parsed from webhooks and REST.

A webhook `invitee.*` payload is Calendly's `Invitee` with the `scheduled_event` embedded; the REST
`GET /scheduled_events/{uuid}/invitees` returns the same `Invitee` without the embed, and
`GET /scheduled_events/{uuid}` the same `Event` (calendly-facts §4.2, §5.2, §5.4). Both paths
parse through the same readers here, so a webhook and the nightly sync describe an invitee with
identical snapshots and the merge in `calendly_merge` sees one truth.

Timestamps are aware `datetime`s in UTC. Calendly sends `...Z`; a timestamp without an offset is
rejected rather than guessed, because an hour's error would move a webinar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

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
    fields = _Fields(payload, "payload")
    event_uri = fields.optional_text("event")
    if event_uri is None:
        embedded = fields.child("scheduled_event")
        if embedded is None:
            raise MalformedPayload(
                "payload.event", "missing, and no scheduled_event to take it from"
            )
        event_uri = embedded.text("uri")
    return _invitee(fields, event_uri)


def scheduled_event_from_payload(payload: JsonObject) -> ScheduledEventSnapshot | None:
    """The scheduled event embedded in an `invitee.*` webhook payload; `None` in old payloads.

    Only a snapshot of the moment of the invitee change: for group events the event's status
    does not follow a single invitee (calendly-facts §1.3), so it is merged like any other
    reading, never inferred from the invitee.
    """
    embedded = _Fields(payload, "payload").child("scheduled_event")
    return None if embedded is None else _scheduled_event(embedded)


def scheduled_event_from_rest(resource: JsonObject) -> ScheduledEventSnapshot:
    """A REST `Event` resource; also the payload of `scheduled_event.*` webhooks (same shape)."""
    return _scheduled_event(_Fields(resource, "resource"))


def invitee_from_rest(resource: JsonObject, event_uri: str) -> InviteeSnapshot:
    """A REST `Invitee` listed under the scheduled event `event_uri` (no embedded event there)."""
    return _invitee(_Fields(resource, "resource"), event_uri)


def _invitee(fields: _Fields, event_uri: str) -> InviteeSnapshot:
    cancellation = fields.child("cancellation")
    no_show = fields.child("no_show")
    return InviteeSnapshot(
        uri=fields.text("uri"),
        event_uri=event_uri,
        name=_person_name(fields),
        email=fields.text("email"),
        status=fields.status("status"),
        cancellation=None if cancellation is None else _cancellation(cancellation),
        rescheduled=fields.flag("rescheduled"),
        old_invitee=fields.optional_text("old_invitee"),
        new_invitee=fields.optional_text("new_invitee"),
        no_show=None
        if no_show is None
        else NoShow(uri=no_show.text("uri"), created_at=no_show.time("created_at")),
        created_at=fields.time("created_at"),
        updated_at=fields.time("updated_at"),
    )


def _person_name(fields: _Fields) -> str:
    """`name` is required by the spec; `first_name`/`last_name` only exist on two-field forms."""
    name = fields.optional_text("name")
    if name:
        return name
    parts = [fields.optional_text("first_name"), fields.optional_text("last_name")]
    joined = " ".join(part for part in parts if part)
    if not joined:
        raise MalformedPayload(fields.at("name"), "missing, and no first_name/last_name")
    return joined


def _cancellation(fields: _Fields) -> Cancellation:
    return Cancellation(
        canceled_by=fields.optional_text("canceled_by"),
        reason=fields.optional_text("reason"),
        canceler_type=fields.optional_text("canceler_type"),
        created_at=fields.optional_time("created_at"),
    )


def _scheduled_event(fields: _Fields) -> ScheduledEventSnapshot:
    start_time = fields.time("start_time")
    end_time = fields.time("end_time")
    if end_time < start_time:
        raise MalformedPayload(fields.at("end_time"), "before start_time")
    cancellation = fields.child("cancellation")
    return ScheduledEventSnapshot(
        uri=fields.text("uri"),
        name=fields.text("name"),
        status=fields.status("status"),
        start_time=start_time,
        end_time=end_time,
        event_type=fields.text("event_type"),
        location=_location(fields.raw("location"), fields.at("location")),
        cancellation=None if cancellation is None else _cancellation(cancellation),
        updated_at=fields.time("updated_at"),
    )


def _location(value: object, path: str) -> Location | None:
    """Every variant of calendly-facts §5.4, plus the bare string older integrations stored."""
    if value is None:
        return None
    if isinstance(value, str):
        return Location(kind="custom", join_url=_as_url(value), text=value)
    if not isinstance(value, Mapping):
        raise MalformedPayload(path, "neither an object nor a string")
    fields = _Fields(value, path)
    kind = fields.text("type")
    if kind == "zoom_conference":
        kind = "zoom"
    if kind == "physical":
        return Location(
            kind=kind,
            address=fields.optional_text("location"),
            text=fields.optional_text("additional_info"),
        )
    text = fields.optional_text("location")
    join_url = fields.optional_text("join_url")
    if join_url is None and kind not in PHONE_KINDS and text is not None:
        join_url = _as_url(text)
    return Location(kind=kind, join_url=join_url, text=text)


def _as_url(text: str) -> str | None:
    stripped = text.strip()
    return stripped if stripped.startswith(("https://", "http://")) else None


def parse_utc(value: str, path: str) -> datetime:
    """An ISO-8601 timestamp with an offset, as UTC (Calendly: `2020-11-23T17:51:19.000000Z`)."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise MalformedPayload(path, f"not an ISO-8601 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise MalformedPayload(path, f"timestamp has no UTC offset: {value!r}")
    return parsed.astimezone(UTC)


@dataclass(frozen=True)
class _Fields:
    """Typed reads from a JSON object; every failure names the field's dotted path."""

    data: JsonObject
    path: str

    def at(self, key: str) -> str:
        return f"{self.path}.{key}"

    def raw(self, key: str) -> object:
        return self.data.get(key)

    def optional_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or isinstance(value, str):
            return value
        raise MalformedPayload(self.at(key), f"expected a string, got {type(value).__name__}")

    def text(self, key: str) -> str:
        value = self.optional_text(key)
        if not value:
            raise MalformedPayload(self.at(key), "missing or empty")
        return value

    def optional_time(self, key: str) -> datetime | None:
        value = self.optional_text(key)
        return None if value is None else parse_utc(value, self.at(key))

    def time(self, key: str) -> datetime:
        return parse_utc(self.text(key), self.at(key))

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if isinstance(value, bool):
            return value
        raise MalformedPayload(self.at(key), f"expected true/false, got {value!r}")

    def status(self, key: str) -> CalendlyStatus:
        value = self.text(key)
        try:
            return CalendlyStatus(value)
        except ValueError:
            raise MalformedPayload(
                self.at(key), f"expected active/canceled, got {value!r}"
            ) from None

    def child(self, key: str) -> _Fields | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise MalformedPayload(self.at(key), "expected an object")
        return _Fields(value, self.at(key))
