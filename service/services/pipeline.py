"""Moving a teacher's pipeline after a change to their linked attendees
(docs/architecture.md: "Teacher pipeline follows attendance")."""

from __future__ import annotations

from service.adapters import teachers
from service.adapters.postgres import Connection
from service.domain.pipeline import PipelineStatus, next_status


async def refresh_pipeline(conn: Connection, user_id: str, trigger: str) -> PipelineStatus | None:
    """Move the teacher's pipeline to what their linked attendees call for; record why.

    Returns the new status when it changed. Callers hold the lock of the change that
    triggered this (the attendee's); the user row is locked here so two changes to one
    teacher's attendees decide one after the other.
    """
    current = await teachers.lock_pipeline(conn, user_id)
    if current is None:
        return None
    transition = next_status(current, await teachers.linked_attendances(conn, user_id))
    if transition is None:
        return None
    await teachers.record_transition(conn, user_id, transition, trigger)
    return transition.to_status
