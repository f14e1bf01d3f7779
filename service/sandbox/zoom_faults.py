"""Injected faults: make the next N matching requests fail, stall, or lose their answer.

A fault either replaces the operation (``after_effect`` false: Zoom never did it) or follows it
(``after_effect`` true: Zoom did it, then the answer was lost, late, or an error). Without a
``status`` the real answer is sent, after ``delay_seconds`` — a slow Zoom or, with a client
timeout shorter than the delay, a timeout.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from service.sandbox.zoom_errors import ZoomError


@dataclass
class Fault:
    id: int
    method: str
    path: re.Pattern[str]
    times: int
    status: int | None
    body: Any
    headers: dict[str, str]
    delay_seconds: float
    after_effect: bool

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and self.method in {"*", method} and bool(self.path.search(path))

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path.pattern,
            "times": self.times,
            "status": self.status,
            "body": self.body,
            "headers": self.headers,
            "delay_seconds": self.delay_seconds,
            "after_effect": self.after_effect,
        }


def parse_fault(spec: Any, fault_id: int) -> Fault:
    """Build a fault from the control API's JSON; refuses anything malformed."""
    if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
        raise ZoomError(400, 300, "A fault needs at least a 'path' regex.")
    try:
        path = re.compile(spec["path"])
    except re.error as exc:
        raise ZoomError(400, 300, f"Invalid path regex: {exc}") from exc
    status = spec.get("status")
    headers = spec.get("headers", {})
    times = spec.get("times", 1)
    delay = spec.get("delay_seconds", 0)
    if status is not None and not isinstance(status, int):
        raise ZoomError(400, 300, "'status' must be an integer.")
    if not isinstance(times, int) or times < 1:
        raise ZoomError(400, 300, "'times' must be a positive integer.")
    if not isinstance(delay, int | float) or delay < 0:
        raise ZoomError(400, 300, "'delay_seconds' must be a non-negative number.")
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ZoomError(400, 300, "'headers' must map names to strings.")
    if status is None and "body" in spec:
        raise ZoomError(400, 300, "A fault 'body' needs a 'status'.")
    return Fault(
        id=fault_id,
        method=str(spec.get("method", "*")).upper(),
        path=path,
        times=times,
        status=status,
        body=spec.get("body"),
        headers=headers,
        delay_seconds=float(delay),
        after_effect=bool(spec.get("after_effect", False)),
    )


@dataclass
class FaultBook:
    """The faults still armed, first added first matched."""

    faults: list[Fault] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, spec: Any) -> Fault:
        fault = parse_fault(spec, next(self._ids))
        self.faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first armed fault matching the request, with one use consumed."""
        for fault in self.faults:
            if fault.matches(method, path):
                fault.times -= 1
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()
