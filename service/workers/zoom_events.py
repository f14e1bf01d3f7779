"""Zoom webhooks (CONTRACT §3.3): a registration or meeting change reconciles that course.

The event itself is not trusted as the new state (Zoom sends only changed fields, ids as
strings or numbers, and perhaps events for our own API calls); it only says "look at this
meeting". The reconcile is an outbox command on the course's subject, due a little later,
so a burst of events for one meeting folds into one reconcile (one waiting command per
subject) and never runs alongside a meeting command of the same course.
"""

from __future__ import annotations

from typing import Any

from service.domain.failure_policy import Terminal
from service.services.unit_of_work import UnitOfWork
from service.services.zoom_drift import request_reconcile


async def handle_meeting_event(unit: UnitOfWork, envelope: dict[str, Any]) -> None:
    payload = envelope.get("payload")
    obj = payload.get("object") if isinstance(payload, dict) else None
    raw_id = obj.get("id") if isinstance(obj, dict) else None
    try:
        meeting_id = int(str(raw_id))
    except ValueError:
        raise Terminal(
            f"{envelope.get('event')} without a meeting id (payload.object.id)"
        ) from None
    await request_reconcile(unit, meeting_id, str(envelope.get("event")))
