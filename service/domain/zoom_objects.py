"""Our view of an object in Zoom (a meeting, a registrant): where its sync stands, and the
registrant statuses Zoom knows (docs/architecture.md: "Zoom calls are not blindly repeated")."""

from __future__ import annotations

from enum import StrEnum


class SyncState(StrEnum):
    """Where our work on one Zoom object stands."""

    PENDING = "pending"  # nothing sent, or Zoom refused before applying anything
    IN_FLIGHT = "in_flight"  # a call was sent; its outcome is unknown until it answers
    DONE = "done"  # Zoom holds what we recorded
    FAILED = "failed"  # Zoom refused for good; a person must act (or the mapping changes)


class RegistrantStatus(StrEnum):
    """A registrant's status as Zoom holds it (`cancelled`: Zoom lists it as `denied`)."""

    APPROVED = "approved"
    PENDING = "pending"
    DENIED = "denied"
    CANCELLED = "cancelled"
    DELETED = "deleted"
