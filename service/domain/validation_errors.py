"""The shape of a problem that keeps a course or a booking from syncing to Zoom."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ValidationError:
    """`code` is stable for programs (API, filters); `message` is for the course admin."""

    code: str
    message: str
