"""Server-to-Server OAuth access tokens: issued with a lifetime, checked on every API call."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from service.sandbox.zoom_errors import ZoomError

#: The granular scopes a webinar-sync S2S app is granted (zoom-facts §1), space-separated.
GRANTED_SCOPES = " ".join(
    (
        "meeting:write:meeting:admin",
        "meeting:read:meeting:admin",
        "meeting:update:meeting:admin",
        "meeting:delete:meeting:admin",
        "meeting:write:registrant:admin",
        "meeting:read:list_registrants:admin",
        "meeting:read:registrant:admin",
        "meeting:update:registrant_status:admin",
        "meeting:delete:registrant:admin",
        "user:read:user:admin",
    )
)


def invalid_access_token() -> ZoomError:
    return ZoomError(401, 124, "Invalid access token.")


@dataclass
class TokenStore:
    """Issued tokens and when each expires (unix seconds)."""

    _expiry: dict[str, float] = field(default_factory=dict)
    issued_count: int = 0

    def issue(self, now: float, lifetime: int, max_active: int | None) -> str:
        token = secrets.token_urlsafe(48)
        self._expiry[token] = now + lifetime
        self.issued_count += 1
        if max_active is not None:
            for old in list(self._expiry)[:-max_active]:
                del self._expiry[old]
        return token

    def check(self, authorization: str | None, now: float) -> None:
        """Raise Zoom's 401 / code 124 unless ``authorization`` carries a live bearer token."""
        scheme, _, token = (authorization or "").partition(" ")
        expires_at = self._expiry.get(token.strip()) if scheme.lower() == "bearer" else None
        if expires_at is None or expires_at <= now:
            raise invalid_access_token()

    def expire_all(self) -> int:
        """Make every issued token invalid now; returns how many there were."""
        count = len(self._expiry)
        self._expiry.clear()
        return count
