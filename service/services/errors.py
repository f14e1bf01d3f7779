"""Why a use case refuses: the service layer's own exceptions, free of HTTP.

Entry points translate them; the API and the UI answer with the status that
`SERVICE_STATUS` in the error handlers gives each kind, in the same envelope as any other
refusal. `details` are `{"field", "problem"}` items like the API's 422s.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    def __init__(self, message: str, details: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(ServiceError):
    """What the request names does not exist."""


class Conflict(ServiceError):
    """The request contradicts what is stored (e.g. a second active attendee with one email)."""


class Invalid(ServiceError):
    """The request is well-formed but cannot be carried out as asked; nothing was changed."""


class Unavailable(ServiceError):
    """A part the use case needs (Redis, …) is down; trying again later may work."""
