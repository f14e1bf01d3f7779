"""Which handler applies each kind of inbox event: one registry, in one place."""

from __future__ import annotations

from collections.abc import Iterable

from service.domain.zoom_webhooks import HANDLED_EVENTS as ZOOM_EVENTS
from service.workers import attendance_import, calendly_events, course_events, users, zoom_events
from service.workers.inbox import HandlerRegistry, InboxHandler


def inbox_handlers() -> HandlerRegistry:
    handlers = HandlerRegistry("inbox handler")

    def register(source: str, event_types: Iterable[str], handler: InboxHandler) -> None:
        for event_type in event_types:
            handlers.register((source, event_type), handler)

    register("calendly", ["invitee.created", "invitee.canceled"], calendly_events.handle_invitee)
    register(
        "calendly",
        ["invitee_no_show.created", "invitee_no_show.deleted"],
        calendly_events.handle_no_show,
    )
    register(
        "calendly",
        ["scheduled_event.created", "scheduled_event.updated", "scheduled_event.canceled"],
        calendly_events.handle_scheduled_event,
    )
    register("booking", ["user.upserted"], users.handle_user_upserted)
    register(
        "booking",
        ["course.upserted", "course.cancelled", "booking.upserted", "booking.cancelled"],
        course_events.handle_booking_event,
    )
    register("zoom", sorted(ZOOM_EVENTS), zoom_events.handle_meeting_event)
    register("zoom", ["meeting.ended"], attendance_import.handle_meeting_ended)
    return handlers
