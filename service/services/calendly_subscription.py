"""The Calendly subscription watchdog: ours exists and is active, else it is made so.

Calendly silently disables a subscription after 24 h of failures; the repair says since when
deliveries may have been lost, so the re-read (`service/services/reconcile_calendly.py`) can
start there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import asyncpg

from service.adapters import reconcile_runs
from service.adapters.calendly_client import CalendlyClient
from service.adapters.calendly_connection import NOT_CONFIGURED, connect_calendly
from service.adapters.work_items import notify
from service.config import Settings
from service.logs import get_logger
from service.services.reconcile_runs import ReconcileNotPossible

log = get_logger(__name__)


CALENDLY_EVENTS = [
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
]


class Found(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    MISSING = "missing"


class Action(StrEnum):
    NONE = "none"
    CREATED = "created"
    RECREATED = "recreated"


@dataclass(frozen=True)
class SubscriptionCheck:
    """What the watchdog found and did. `stopped_at`: since when deliveries may have been lost."""

    callback_url: str
    found: Found
    action: Action
    uri: str | None
    stopped_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "callback_url": self.callback_url,
            "found": self.found,
            "action": self.action,
            "uri": self.uri,
            "stopped_at": self.stopped_at.isoformat() if self.stopped_at else None,
        }


def callback_url(settings: Settings) -> str:
    return f"{settings.public_base_url.rstrip('/')}/webhooks/calendly"


def _calendly(pool: asyncpg.Pool, settings: Settings, cause: dict[str, str]) -> CalendlyClient:
    client = connect_calendly(settings, pool, cause)
    if client is None:
        raise ReconcileNotPossible(NOT_CONFIGURED)
    return client


async def ensure_subscription(pool: asyncpg.Pool, settings: Settings) -> SubscriptionCheck:
    """Our subscription for PUBLIC_BASE_URL/webhooks/calendly exists and is active afterwards.

    Calendly has no re-enable: a disabled subscription is deleted and created again (delete
    first: callback URLs must be unique, or Calendly answers 409), signed with the first key
    of CALENDLY_WEBHOOK_SIGNING_KEYS, which Calendly never returns, so ingress already has it.
    """
    if not settings.calendly_webhook_signing_keys:
        raise ReconcileNotPossible(
            "CALENDLY_WEBHOOK_SIGNING_KEYS is not set; the subscription needs a signing key "
            "that ingress also accepts"
        )
    url = callback_url(settings)
    async with _calendly(pool, settings, {"job": "calendly_subscription"}) as client:
        organization, user = await _subscription_scope(client, settings)
        scope = "user" if user else "organization"
        subscriptions = await client.list_webhook_subscriptions(
            organization, scope=scope, user=user
        )
        ours = [s for s in subscriptions if s.get("callback_url") == url]
        async with pool.acquire() as conn:
            watched = await reconcile_runs.load_subscription_watch(conn, url)
        if ours and all(s.get("state") == "active" for s in ours):
            await _watched(pool, url, ours[0]["uri"])
            return SubscriptionCheck(url, Found.ACTIVE, Action.NONE, ours[0]["uri"])
        if ours:
            found = Found.DISABLED
            stopped_at = _stopped_at(ours)
        else:
            found = Found.MISSING
            stopped_at = watched["last_active_at"] if watched is not None else None
        for subscription in ours:
            await client.delete_webhook_subscription(subscription["uri"])
        created = await client.create_webhook_subscription(
            url,
            CALENDLY_EVENTS,
            organization=organization,
            user=user,
            scope=scope,
            signing_key=settings.calendly_webhook_signing_keys[0].get_secret_value(),
        )
    check = SubscriptionCheck(
        url, found, Action.RECREATED if ours else Action.CREATED, created["uri"], stopped_at
    )
    await _watched(pool, url, created["uri"])
    if ours or watched is not None:  # an incident, not the first `calendly subscribe`
        since = f"since {stopped_at.isoformat()}" if stopped_at else "for an unknown time"
        async with pool.acquire() as conn:
            await notify(
                conn,
                "subscription_disabled",
                f"The Calendly webhook subscription for {url} was {found}; webhooks may have "
                f"been lost {since}. It was {check.action} and Calendly is read again from then.",
                subject="calendly:subscription",
                severity="warning",
                details=check.as_json(),
            )
    log.warning("calendly subscription repaired", **check.as_json())
    return check


async def _subscription_scope(client: CalendlyClient, settings: Settings) -> tuple[str, str | None]:
    """(organization, user or None). Like the sync: the organization unless only a user is set."""
    organization = settings.calendly_organization_uri
    if organization is None:
        me = await client.current_user()
        organization = str(me["current_organization"])
    user = None if settings.calendly_organization_uri else settings.calendly_user_uri
    return organization, user


def _stopped_at(subscriptions: list[dict[str, Any]]) -> datetime | None:
    """A disabled subscription began failing at `retry_started_at` (else: its last update)."""
    moments = []
    for subscription in subscriptions:
        raw = subscription.get("retry_started_at") or subscription.get("updated_at")
        if isinstance(raw, str):
            moments.append(datetime.fromisoformat(raw.replace("Z", "+00:00")))
    return min(moments) if moments else None


async def _watched(pool: asyncpg.Pool, url: str, uri: str) -> None:
    async with pool.acquire() as conn:
        await reconcile_runs.subscription_seen(conn, url, uri, Found.ACTIVE)
