"""What a sandbox Zoom account looks like: credentials, plan limits, and account defaults."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from service.sandbox.zoom_errors import ZoomError


@dataclass
class ZoomSandboxSettings:
    """Defaults match a Pro account with one Server-to-Server OAuth app named "sandbox"."""

    client_id: str = "sandbox"
    client_secret: str = "sandbox"  # noqa: S105 - the sandbox's published credential
    account_id: str = "sandbox"
    #: Who ``userId = "me"`` is: the owner of the S2S app.
    account_owner_email: str = "owner@sandbox.example"
    token_lifetime_seconds: int = 3600
    #: ``None``: any number of tokens stay valid (Zoom since June 2023). ``1`` reproduces the
    #: older behaviour where a new token invalidated the previous one.
    max_active_tokens: int | None = None
    light_per_second: int = 30
    medium_per_second: int = 20
    heavy_per_second: int = 10
    meeting_writes_per_day_per_host: int = 100
    registrant_adds_per_day: int = 3
    registrant_status_updates_per_day: int = 10
    max_registrants_per_meeting: int = 4999
    #: ``False``: as Zoom documents, an add answers without ``join_url`` when the meeting was
    #: created with ``approval_type`` 1 (manual), even for an ``auto_approve`` registrant;
    #: list and get still carry it. ``True``: the add carries it for an approved registrant.
    add_returns_join_url: bool = True
    #: Emails (case-insensitive) that are not users of the account; every other email is.
    unknown_users: list[str] = field(default_factory=list)
    #: Used when a meeting is created without ``timezone``.
    account_timezone: str = "UTC"
    next_page_token_ttl_seconds: int = 900
    #: How long after a meeting is held its participant list answers "not found" (Zoom fills
    #: it late).
    past_participants_delay_seconds: float = 0
    #: Where `meeting.ended` is delivered, signed with the secret token (none when empty).
    webhook_url: str = ""
    webhook_secret_token: str = ""
    #: Seeds meeting and registrant IDs; ``None`` for random ones.
    seed: int | None = None
    #: Unix seconds; tests replace it to cross token expiry or a UTC midnight.
    clock: Callable[[], float] = time.time

    def per_second_limit(self, category: str) -> int:
        limits = {
            "Light": self.light_per_second,
            "Medium": self.medium_per_second,
            "Heavy": self.heavy_per_second,
        }
        return limits[category]

    def patched(self, changes: dict[str, Any]) -> ZoomSandboxSettings:
        """A copy with ``changes`` applied; refuses unknown fields and wrong types."""
        fields = {f.name: f for f in dataclasses.fields(self) if f.name not in _NOT_PATCHABLE}
        for name, value in changes.items():
            if name not in fields:
                raise ZoomError(400, 300, f"Unknown or read-only setting: {name}")
            if not isinstance(value, _PATCH_TYPES[name]):
                raise ZoomError(400, 300, f"Invalid value for setting {name}: {value!r}")
        return dataclasses.replace(self, **changes)

    def public_view(self) -> dict[str, Any]:
        """The settings as JSON, without the secret and the clock."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in _NOT_PATCHABLE and f.name not in _SECRET
        }


_NOT_PATCHABLE = frozenset({"clock"})
_SECRET = frozenset({"client_secret", "webhook_secret_token"})
_PATCH_TYPES: dict[str, type | tuple[type, ...]] = {
    "client_id": str,
    "client_secret": str,
    "account_id": str,
    "account_owner_email": str,
    "token_lifetime_seconds": int,
    "max_active_tokens": (int, type(None)),
    "light_per_second": int,
    "medium_per_second": int,
    "heavy_per_second": int,
    "meeting_writes_per_day_per_host": int,
    "registrant_adds_per_day": int,
    "registrant_status_updates_per_day": int,
    "max_registrants_per_meeting": int,
    "add_returns_join_url": bool,
    "unknown_users": list,
    "account_timezone": str,
    "next_page_token_ttl_seconds": int,
    "past_participants_delay_seconds": (int, float),
    "webhook_url": str,
    "webhook_secret_token": str,
    "seed": (int, type(None)),
}
