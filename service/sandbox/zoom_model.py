"""The records a Zoom account holds: meetings and their registrants."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from service.sandbox.zoom_recurrence import Occurrence

INSTANT, SCHEDULED, RECURRING_FIXED_TIME = 1, 2, 8
AUTO_APPROVE, MANUAL_APPROVE, NO_REGISTRATION = 0, 1, 2


@dataclass
class Registrant:
    id: str
    email: str
    first_name: str
    last_name: str
    status: str  # "approved" | "pending" | "denied"
    join_url: str
    participant_pin_code: int
    create_time: str
    #: The occurrences registered for; ``None`` means every occurrence.
    occurrence_ids: list[str] | None
    #: Every other field the registrant was added with (address, org, custom_questions …).
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Meeting:
    id: int
    uuid: str
    host_id: str
    host_email: str
    topic: str
    type: int
    #: Aware; ``None`` for recurring meetings without fixed time.
    start: datetime | None
    timezone: str
    duration: int
    agenda: str
    password: str
    encrypted_password: str
    created_at: str
    settings: dict[str, Any]
    recurrence: dict[str, Any] | None = None
    occurrences: list[Occurrence] = field(default_factory=list)
    #: By registrant id, in the order they were added.
    registrants: dict[str, Registrant] = field(default_factory=dict)
    registration_token: str = ""
    #: Accepted fields the sandbox stores but does not act on (tracking_fields, pre_schedule …).
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def registration_enabled(self) -> bool:
        return int(self.settings.get("approval_type", NO_REGISTRATION)) != NO_REGISTRATION

    def registrant_by_email(self, email: str) -> Registrant | None:
        wanted = email.casefold()
        for registrant in self.registrants.values():
            if registrant.email.casefold() == wanted:
                return registrant
        return None

    def hosts(self) -> set[str]:
        """The host and alternative hosts, casefolded; Zoom refuses them as registrants."""
        alternatives = str(self.settings.get("alternative_hosts", ""))
        names = {part.strip().casefold() for part in alternatives.replace(",", ";").split(";")}
        return {self.host_email.casefold()} | {name for name in names if name}


@dataclass
class HeldInstance:
    uuid: str
    meeting_id: int
    start: datetime
    end: datetime
    rows: list[dict[str, Any]]
    ready_at: float  # sandbox clock seconds
    topic: str
    host_id: str
    timezone: str
    duration: int


@dataclass
class PastMeetings:
    """Every held instance of the account, by UUID, in the order they were held."""

    instances: dict[str, HeldInstance] = field(default_factory=dict)
