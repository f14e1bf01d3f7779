"""Inbox handler for the booking system's course and booking events (CONTRACT §3.2, §4).

The stored body is parsed once into a domain event and applied by one use case
(`services/course_sync.apply_booking_event`).
"""

from __future__ import annotations

from typing import Any

from service.domain.booking_events import parse_booking_event
from service.services.course_sync import apply_booking_event
from service.services.unit_of_work import UnitOfWork


async def handle_booking_event(unit: UnitOfWork, body: dict[str, Any]) -> None:
    await apply_booking_event(unit, parse_booking_event(body), body["data"])
