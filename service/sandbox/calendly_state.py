"""In-memory state of the sandbox Calendly and the changes Calendly itself would make.

Only identifiers (uuids) are stored; URIs are rendered per request from the base URL the
sandbox is reached at (see `calendly_payloads`), so the same state serves any host and port.
Mutations here never do I/O: the app delivers webhooks after a change has been applied.
"""

from __future__ import annotations

import secrets
import string
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class SandboxError(Exception):
    """A control request that cannot be applied; `status` is what the control API answers."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def new_uuid() -> str:
    return str(uuid.uuid4())


def new_short_uuid() -> str:
    """Users and organizations carry Calendly's 16-character upper-case ids."""
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(16))


@dataclass
class User:
    uuid: str
    name: str
    email: str
    timezone: str
    created_at: datetime

    @property
    def slug(self) -> str:
        return self.email.split("@", 1)[0].lower()


@dataclass
class Cancellation:
    canceled_by: str
    reason: str | None
    canceler_type: str  # "host" | "invitee"
    created_at: datetime


@dataclass
class ScheduledEvent:
    uuid: str
    name: str
    start_time: datetime
    end_time: datetime
    event_type_uuid: str
    location: dict[str, Any] | None
    invitee_limit: int
    host_uuid: str
    created_at: datetime
    updated_at: datetime
    status: str = "active"
    cancellation: Cancellation | None = None
    invitee_uuids: list[str] = field(default_factory=list)


@dataclass
class NoShow:
    uuid: str
    created_at: datetime


@dataclass
class Invitee:
    uuid: str
    event_uuid: str
    email: str
    name: str
    first_name: str | None
    last_name: str | None
    timezone: str | None
    created_at: datetime
    updated_at: datetime
    questions_and_answers: list[dict[str, Any]] = field(default_factory=list)
    tracking: dict[str, str | None] = field(default_factory=dict)
    text_reminder_number: str | None = None
    status: str = "active"
    rescheduled: bool = False
    old_invitee_uuid: str | None = None
    new_invitee_uuid: str | None = None
    cancellation: Cancellation | None = None
    no_show: NoShow | None = None


@dataclass
class Subscription:
    uuid: str
    callback_url: str
    events: list[str]
    scope: str  # "organization" | "user"
    user_uuid: str | None
    creator_uuid: str
    signing_key: str | None
    created_at: datetime
    updated_at: datetime
    state: str = "active"
    retry_started_at: datetime | None = None


TRACKING_KEYS = ("utm_campaign", "utm_source", "utm_medium", "utm_content", "utm_term")


def empty_tracking() -> dict[str, str | None]:
    return {key: None for key in (*TRACKING_KEYS, "salesforce_uuid")}


@dataclass
class CalendlyState:
    """One organization whose owner (`me`) holds the API token, plus everything booked in it."""

    organization_uuid: str
    me: User
    users: dict[str, User] = field(default_factory=dict)
    events: dict[str, ScheduledEvent] = field(default_factory=dict)
    invitees: dict[str, Invitee] = field(default_factory=dict)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)

    @classmethod
    def fresh(
        cls, owner_name: str, owner_email: str, timezone: str, now: datetime
    ) -> CalendlyState:
        owner = User(new_short_uuid(), owner_name, owner_email, timezone, now)
        return cls(organization_uuid=new_short_uuid(), me=owner, users={owner.uuid: owner})

    # -- lookups -------------------------------------------------------------------------

    def event(self, event_uuid: str) -> ScheduledEvent:
        found = self.events.get(event_uuid)
        if found is None:
            raise SandboxError(404, f"no scheduled event {event_uuid}")
        return found

    def invitee(self, invitee_uuid: str) -> Invitee:
        found = self.invitees.get(invitee_uuid)
        if found is None:
            raise SandboxError(404, f"no invitee {invitee_uuid}")
        return found

    def host_by_email(self, name: str, email: str, now: datetime) -> User:
        """Hosts other than `me` are organization members, created on first use."""
        for user in self.users.values():
            if user.email == email:
                return user
        user = User(new_short_uuid(), name, email, self.me.timezone, now)
        self.users[user.uuid] = user
        return user

    def active_invitee_count(self, event: ScheduledEvent) -> int:
        return sum(1 for uid in event.invitee_uuids if self.invitees[uid].status == "active")

    # -- scheduling ----------------------------------------------------------------------

    def create_event(
        self,
        *,
        name: str,
        start_time: datetime,
        end_time: datetime,
        location: dict[str, Any] | None,
        invitee_limit: int,
        host: User,
        now: datetime,
        event_type_uuid: str | None = None,
        event_uuid: str | None = None,
    ) -> ScheduledEvent:
        if end_time <= start_time:
            raise SandboxError(400, "end_time must be after start_time")
        if invitee_limit < 1:
            raise SandboxError(400, "max_invitees must be at least 1")
        event = ScheduledEvent(
            uuid=event_uuid or new_uuid(),
            name=name,
            start_time=start_time,
            end_time=end_time,
            event_type_uuid=event_type_uuid or new_short_uuid(),
            location=location,
            invitee_limit=invitee_limit,
            host_uuid=host.uuid,
            created_at=now,
            updated_at=now,
        )
        self.events[event.uuid] = event
        return event

    def book(
        self,
        event: ScheduledEvent,
        *,
        name: str,
        email: str,
        now: datetime,
        first_name: str | None = None,
        last_name: str | None = None,
        timezone: str | None = None,
        questions_and_answers: list[dict[str, Any]] | None = None,
        tracking: dict[str, str | None] | None = None,
        text_reminder_number: str | None = None,
    ) -> Invitee:
        """Book like Calendly's booking page: only active events with a free seat."""
        if event.status != "active":
            raise SandboxError(409, f"scheduled event {event.uuid} is canceled")
        if self.active_invitee_count(event) >= event.invitee_limit:
            raise SandboxError(409, f"scheduled event {event.uuid} is full")
        invitee = Invitee(
            uuid=new_uuid(),
            event_uuid=event.uuid,
            email=email,
            name=name,
            first_name=first_name,
            last_name=last_name,
            timezone=timezone if timezone is not None else self.me.timezone,
            created_at=now,
            updated_at=now,
            questions_and_answers=questions_and_answers or [],
            tracking={**empty_tracking(), **(tracking or {})},
            text_reminder_number=text_reminder_number,
        )
        self.invitees[invitee.uuid] = invitee
        event.invitee_uuids.append(invitee.uuid)
        event.updated_at = now
        return invitee

    def cancel_invitee(
        self, invitee: Invitee, cancellation: Cancellation, *, now: datetime
    ) -> Invitee:
        """One invitee leaves; a one-on-one event is canceled with its last invitee.

        Group events stay active (facts §1.3): event status is not inferred from one invitee.
        """
        if invitee.status != "active":
            raise SandboxError(409, f"invitee {invitee.uuid} is already canceled")
        invitee.status = "canceled"
        invitee.cancellation = cancellation
        invitee.updated_at = now
        event = self.event(invitee.event_uuid)
        event.updated_at = now
        if event.invitee_limit == 1 and self.active_invitee_count(event) == 0:
            event.status = "canceled"
            event.cancellation = cancellation
        return invitee

    def reschedule(
        self, invitee: Invitee, target: ScheduledEvent, cancellation: Cancellation, *, now: datetime
    ) -> Invitee:
        """Reschedule = cancel the old invitee and book a new one, linked both ways."""
        if target.uuid == invitee.event_uuid:
            raise SandboxError(400, "a reschedule needs a different scheduled event")
        self.cancel_invitee(invitee, cancellation, now=now)
        successor = self.book(
            target,
            name=invitee.name,
            email=invitee.email,
            now=now,
            first_name=invitee.first_name,
            last_name=invitee.last_name,
            timezone=invitee.timezone,
            questions_and_answers=invitee.questions_and_answers,
            tracking=invitee.tracking,
            text_reminder_number=invitee.text_reminder_number,
        )
        successor.old_invitee_uuid = invitee.uuid
        invitee.rescheduled = True
        invitee.new_invitee_uuid = successor.uuid
        return successor

    def cancel_event(
        self, event: ScheduledEvent, cancellation: Cancellation, *, now: datetime
    ) -> list[Invitee]:
        """A host cancels the whole event: every active invitee is canceled, one by one."""
        if event.status != "active":
            raise SandboxError(409, f"scheduled event {event.uuid} is already canceled")
        canceled = []
        for invitee_uuid in event.invitee_uuids:
            invitee = self.invitees[invitee_uuid]
            if invitee.status == "active":
                invitee.status = "canceled"
                invitee.cancellation = cancellation
                invitee.updated_at = now
                canceled.append(invitee)
        event.status = "canceled"
        event.cancellation = cancellation
        event.updated_at = now
        return canceled

    def set_no_show(self, invitee: Invitee, no_show: bool, *, now: datetime) -> Invitee:
        if no_show == (invitee.no_show is not None):
            state = "already" if no_show else "not"
            raise SandboxError(409, f"invitee {invitee.uuid} is {state} marked as no-show")
        invitee.no_show = NoShow(new_uuid(), now) if no_show else None
        invitee.updated_at = now
        return invitee

    # -- webhook subscriptions ------------------------------------------------------------

    def subscription(self, subscription_uuid: str) -> Subscription:
        found = self.subscriptions.get(subscription_uuid)
        if found is None:
            raise SandboxError(404, f"no webhook subscription {subscription_uuid}")
        return found

    def subscriptions_for(self, event_name: str, event: ScheduledEvent) -> list[Subscription]:
        """Active subscriptions that Calendly would deliver `event_name` on `event` to."""
        return [
            sub
            for sub in self.subscriptions.values()
            if sub.state == "active"
            and event_name in sub.events
            and (sub.scope == "organization" or sub.user_uuid == event.host_uuid)
        ]
