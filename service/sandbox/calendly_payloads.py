"""Render sandbox state as Calendly v2 JSON: REST resources and webhook payloads.

Field names and order follow the facts file's examples (§4.3, §5.3-5.4) so that a parser
written against real Calendly traffic reads sandbox traffic the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from service.sandbox.calendly_state import (
    CalendlyState,
    Cancellation,
    Invitee,
    ScheduledEvent,
    Subscription,
    User,
)

BOOKING_SITE = "https://calendly.com"


def iso(moment: datetime) -> str:
    """Calendly's timestamp format: UTC with microseconds, e.g. 2020-01-02T03:04:05.678123Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Uris:
    """Resource URIs under the base URL the sandbox is reached at (like api.calendly.com)."""

    base: str

    def user(self, user_uuid: str) -> str:
        return f"{self.base}/users/{user_uuid}"

    def organization(self, organization_uuid: str) -> str:
        return f"{self.base}/organizations/{organization_uuid}"

    def event(self, event_uuid: str) -> str:
        return f"{self.base}/scheduled_events/{event_uuid}"

    def invitee(self, event_uuid: str, invitee_uuid: str) -> str:
        return f"{self.base}/scheduled_events/{event_uuid}/invitees/{invitee_uuid}"

    def event_type(self, event_type_uuid: str) -> str:
        return f"{self.base}/event_types/{event_type_uuid}"

    def subscription(self, subscription_uuid: str) -> str:
        return f"{self.base}/webhook_subscriptions/{subscription_uuid}"

    def no_show(self, no_show_uuid: str) -> str:
        return f"{self.base}/invitee_no_shows/{no_show_uuid}"


def render_user(state: CalendlyState, user: User, uris: Uris) -> dict[str, Any]:
    return {
        "uri": uris.user(user.uuid),
        "name": user.name,
        "slug": user.slug,
        "email": user.email,
        "scheduling_url": f"{BOOKING_SITE}/{user.slug}",
        "timezone": user.timezone,
        "avatar_url": None,
        "created_at": iso(user.created_at),
        "updated_at": iso(user.created_at),
        "current_organization": uris.organization(state.organization_uuid),
        "resource_type": "User",
        "locale": "en",
    }


def render_cancellation(cancellation: Cancellation) -> dict[str, Any]:
    return {
        "canceled_by": cancellation.canceled_by,
        "reason": cancellation.reason,
        "canceler_type": cancellation.canceler_type,
        "created_at": iso(cancellation.created_at),
    }


def render_event(state: CalendlyState, event: ScheduledEvent, uris: Uris) -> dict[str, Any]:
    """The `Event` resource; the same shape is embedded as `scheduled_event` in webhooks."""
    host = state.users[event.host_uuid]
    active = state.active_invitee_count(event)
    rendered: dict[str, Any] = {
        "uri": uris.event(event.uuid),
        "name": event.name,
        "meeting_notes_plain": None,
        "meeting_notes_html": None,
        "status": event.status,
        "start_time": iso(event.start_time),
        "end_time": iso(event.end_time),
        "event_type": uris.event_type(event.event_type_uuid),
        "location": event.location,
        "invitees_counter": {
            "total": len(event.invitee_uuids),
            "active": active,
            "limit": event.invitee_limit,
        },
        "created_at": iso(event.created_at),
        "updated_at": iso(event.updated_at),
        "event_memberships": [
            {"user": uris.user(host.uuid), "user_email": host.email, "user_name": host.name}
        ],
        "event_guests": [],
        "calendar_event": None,
    }
    if event.cancellation is not None:
        rendered["cancellation"] = render_cancellation(event.cancellation)
    return rendered


def _invitee_uri(state: CalendlyState, invitee_uuid: str | None, uris: Uris) -> str | None:
    if invitee_uuid is None:
        return None
    return uris.invitee(state.invitees[invitee_uuid].event_uuid, invitee_uuid)


def render_invitee(
    state: CalendlyState, invitee: Invitee, uris: Uris, *, embed_event: bool
) -> dict[str, Any]:
    """The `Invitee` resource; webhooks embed `scheduled_event`, the REST list does not."""
    rendered: dict[str, Any] = {
        "uri": uris.invitee(invitee.event_uuid, invitee.uuid),
        "event": uris.event(invitee.event_uuid),
        "email": invitee.email,
        "name": invitee.name,
        "first_name": invitee.first_name,
        "last_name": invitee.last_name,
        "status": invitee.status,
        "timezone": invitee.timezone,
        "created_at": iso(invitee.created_at),
        "updated_at": iso(invitee.updated_at),
        "questions_and_answers": invitee.questions_and_answers,
        "tracking": invitee.tracking,
        "text_reminder_number": invitee.text_reminder_number,
        "rescheduled": invitee.rescheduled,
        "old_invitee": _invitee_uri(state, invitee.old_invitee_uuid, uris),
        "new_invitee": _invitee_uri(state, invitee.new_invitee_uuid, uris),
        "cancel_url": f"{BOOKING_SITE}/cancellations/{invitee.uuid}",
        "reschedule_url": f"{BOOKING_SITE}/reschedulings/{invitee.uuid}",
        "routing_form_submission": None,
        "payment": None,
        "no_show": None,
        "reconfirmation": None,
        "scheduling_method": None,
        "invitee_scheduled_by": None,
    }
    if invitee.no_show is not None:
        rendered["no_show"] = {
            "uri": uris.no_show(invitee.no_show.uuid),
            "created_at": iso(invitee.no_show.created_at),
        }
    if invitee.cancellation is not None:
        rendered["cancellation"] = render_cancellation(invitee.cancellation)
    if embed_event:
        rendered["scheduled_event"] = render_event(state, state.events[invitee.event_uuid], uris)
    return rendered


def render_subscription(
    state: CalendlyState, subscription: Subscription, uris: Uris
) -> dict[str, Any]:
    """`signing_key` is never rendered: Calendly does not return it (facts §1.1)."""
    return {
        "uri": uris.subscription(subscription.uuid),
        "callback_url": subscription.callback_url,
        "created_at": iso(subscription.created_at),
        "updated_at": iso(subscription.updated_at),
        "retry_started_at": (
            iso(subscription.retry_started_at) if subscription.retry_started_at else None
        ),
        "state": subscription.state,
        "events": subscription.events,
        "scope": subscription.scope,
        "organization": uris.organization(state.organization_uuid),
        "user": uris.user(subscription.user_uuid) if subscription.user_uuid else None,
        "group": None,
        "creator": uris.user(subscription.creator_uuid),
    }


def webhook_envelope(
    event_name: str, payload: dict[str, Any], created_by: str, created_at: datetime
) -> dict[str, Any]:
    """The v2 envelope: `created_by` is the subscription's creator, not the booker (§4.1)."""
    return {
        "created_at": iso(created_at),
        "created_by": created_by,
        "event": event_name,
        "payload": payload,
    }
