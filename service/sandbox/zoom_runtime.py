"""Everything one sandbox Zoom process holds in memory, behind one asyncio lock."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from service.sandbox.zoom_faults import FaultBook
from service.sandbox.zoom_limits import SlidingWindowLimiter
from service.sandbox.zoom_settings import ZoomSandboxSettings
from service.sandbox.zoom_state import ZoomAccount
from service.sandbox.zoom_tokens import TokenStore


@dataclass
class LoggedRequest:
    """One request as the control API reports it."""

    time: float
    method: str
    path: str
    query: str
    operation: str
    category: str | None
    status: int
    code: int | None
    body: Any
    response: Any
    fault_id: int | None

    def view(self) -> dict[str, Any]:
        return {
            "time": datetime.fromtimestamp(self.time, UTC).isoformat(),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "operation": self.operation,
            "category": self.category,
            "status": self.status,
            "code": self.code,
            "body": self.body,
            "response": self.response,
            "fault_id": self.fault_id,
        }


@dataclass
class ZoomSandbox:
    """The sandbox's state; ``reset`` returns it to how ``create_app`` built it.

    Issued tokens survive ``reset``: they belong to the OAuth app, not to the account's data, and a
    client holding one should not see 401s because a test cleaned up (use ``expire_tokens``).
    """

    initial_settings: ZoomSandboxSettings
    settings: ZoomSandboxSettings = field(init=False)
    account: ZoomAccount = field(init=False)
    tokens: TokenStore = field(default_factory=TokenStore)
    limiter: SlidingWindowLimiter = field(init=False)
    faults: FaultBook = field(default_factory=FaultBook)
    log: list[LoggedRequest] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    rate_limited: Counter[str] = field(default_factory=Counter)
    rate_limited_by_type: Counter[str] = field(default_factory=Counter)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.settings = self.initial_settings
        self.account = ZoomAccount(self.settings)
        self.limiter = SlidingWindowLimiter()
        self.faults.clear()
        self.log.clear()
        self.calls.clear()
        self.rate_limited.clear()
        self.rate_limited_by_type.clear()

    def apply_settings(self, changes: dict[str, Any]) -> None:
        self.settings = self.settings.patched(changes)
        self.account.settings = self.settings

    def now(self) -> float:
        return self.settings.clock()

    def record(self, entry: LoggedRequest, rate_limit_type: str | None) -> None:
        self.log.append(entry)
        self.calls[entry.operation] += 1
        if entry.status == 429:
            self.rate_limited[entry.operation] += 1
            self.rate_limited_by_type[rate_limit_type or "unspecified"] += 1

    def state_view(self) -> dict[str, Any]:
        return {
            **self.account.snapshot(),
            "calls": dict(self.calls),
            "rate_limited": {
                "total": sum(self.rate_limited.values()),
                "by_operation": dict(self.rate_limited),
                "by_type": dict(self.rate_limited_by_type),
            },
            "tokens_issued": self.tokens.issued_count,
            "settings": self.settings.public_view(),
        }
