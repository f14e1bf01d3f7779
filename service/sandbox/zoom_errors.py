"""The one way the sandbox reports a failure: Zoom's JSON error shape with its HTTP status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ZoomError(Exception):
    """An answer Zoom gives instead of a result: ``{"code": …, "message": …}`` plus headers."""

    status: int
    code: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, str]] | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def validation_failed(fields: list[str]) -> ZoomError:
    """Zoom's answer to a request body or parameter it refuses (HTTP 400, code 300)."""
    errors = [{"field": name, "message": "Invalid field."} for name in fields]
    return ZoomError(400, 300, "Validation Failed.", errors=errors)


def meeting_not_found(meeting_id: int) -> ZoomError:
    return ZoomError(404, 3001, f"Meeting {meeting_id} is not found or has expired.")
