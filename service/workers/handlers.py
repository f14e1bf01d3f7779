"""Which handler applies each kind of inbox event: one table, in one place."""

from __future__ import annotations

from service.domain.zoom_webhooks import HANDLED_EVENTS as ZOOM_EVENTS
from service.workers import attendance_import, calendly_events, course_events, users, zoom_events
from service.workers.inbox import HandlerTable


def inbox_handlers() -> HandlerTable:
    return {
        ("calendly", "invitee.created"): calendly_events.handle_invitee,
        ("calendly", "invitee.canceled"): calendly_events.handle_invitee,
        ("calendly", "invitee_no_show.created"): calendly_events.handle_no_show,
        ("calendly", "invitee_no_show.deleted"): calendly_events.handle_no_show,
        ("calendly", "scheduled_event.created"): calendly_events.handle_scheduled_event,
        ("calendly", "scheduled_event.updated"): calendly_events.handle_scheduled_event,
        ("calendly", "scheduled_event.canceled"): calendly_events.handle_scheduled_event,
        ("booking", "user.upserted"): users.handle_user_upserted,
        ("booking", "course.upserted"): course_events.handle_booking_event,
        ("booking", "course.cancelled"): course_events.handle_booking_event,
        ("booking", "booking.upserted"): course_events.handle_booking_event,
        ("booking", "booking.cancelled"): course_events.handle_booking_event,
        **{("zoom", event): zoom_events.handle_meeting_event for event in ZOOM_EVENTS},
        ("zoom", "meeting.ended"): attendance_import.handle_meeting_ended,
    }
