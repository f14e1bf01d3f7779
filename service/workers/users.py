"""user.upserted from the booking system: the teachers Calendly attendees link to."""

from __future__ import annotations

from typing import Any

from service.adapters import teachers
from service.domain.booking_events import User, parse_booking_event
from service.services.pipeline import refresh_pipeline
from service.services.unit_of_work import UnitOfWork


async def handle_user_upserted(unit: UnitOfWork, body: dict[str, Any]) -> None:
    user = parse_booking_event(body).data
    assert isinstance(user, User)
    await unit.lock(f"user:{user.id}")
    if not await teachers.upsert_user(unit.conn, user):
        return  # not newer than what we have: changes nothing
    if await teachers.link_unlinked_attendees(unit.conn, user.id):
        await refresh_pipeline(unit.conn, user.id, f"attendees linked to user {user.id}")
