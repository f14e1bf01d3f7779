"""What every outbound vendor call reports, so one integration log serves Zoom and Calendly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class VendorCall:
    """One HTTP call to a vendor, as ops read it in the integration log.

    `path` never carries credentials (no query-string tokens); `cause` names what
    made us call, e.g. {"course_id": "10062"} or {"booking_id": "BN20-00159"}.
    """

    system: str  # "zoom" | "calendly"
    method: str
    path: str
    status: int | None  # None: no response (timeout, connection error)
    duration_ms: float
    vendor_code: str | None = None
    vendor_message: str | None = None
    error: str | None = None  # network-level failure, e.g. "ReadTimeout"
    cause: dict[str, str] = field(default_factory=dict)


class CallRecorder(Protocol):
    async def record(self, call: VendorCall) -> None: ...


class NoRecorder:
    """For callers that have nowhere to log to (one-off CLI probes, unit tests)."""

    async def record(self, call: VendorCall) -> None:
        return None
