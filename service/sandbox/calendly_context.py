"""Settings and the one object REST and control handlers share: state, gate, deliverer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from starlette.requests import Request

from service.sandbox.calendly_delivery import Deliverer
from service.sandbox.calendly_gate import Gate
from service.sandbox.calendly_payloads import Uris, render_invitee
from service.sandbox.calendly_state import CalendlyState, Invitee


@dataclass(frozen=True)
class CalendlySandboxSettings:
    """`token` is the only valid API token until revoked; limits follow Calendly's paid plan."""

    token: str = "sandbox-calendly-token"  # noqa: S105 - a fake vendor's well-known token
    rate_limit: int = 500
    rate_window_s: float = 60.0
    public_base_url: str | None = None  # None: URIs use the URL each request reached us at
    owner_name: str = "Sandbox Host"
    owner_email: str = "host@sandbox.example"
    timezone: str = "Europe/Berlin"


@dataclass
class Sandbox:
    settings: CalendlySandboxSettings
    state: CalendlyState = field(init=False)
    gate: Gate = field(init=False)
    deliverer: Deliverer = field(init=False)

    def __post_init__(self) -> None:
        self.deliverer = Deliverer()
        self.reset()

    def reset(self) -> None:
        """Everything back to a fresh account: new user/org ids, tokens valid, logs empty."""
        self.state = CalendlyState.fresh(
            self.settings.owner_name, self.settings.owner_email, self.settings.timezone, now()
        )
        self.gate = Gate(self.settings.token, self.settings.rate_limit, self.settings.rate_window_s)
        self.deliverer.deliveries.clear()

    def uris(self, request: Request) -> Uris:
        return Uris(self.settings.public_base_url or str(request.base_url).rstrip("/"))

    async def announce(
        self, request: Request, event: str, invitee: Invitee
    ) -> list[dict[str, Any]]:
        """Deliver `event` about `invitee` to every subscription Calendly would notify."""
        uris = self.uris(request)
        scheduled_event = self.state.event(invitee.event_uuid)
        payload = render_invitee(self.state, invitee, uris, embed_event=True)
        delivered = []
        for subscription in self.state.subscriptions_for(event, scheduled_event):
            delivery = await self.deliverer.deliver(
                subscription,
                uris.subscription(subscription.uuid),
                event,
                payload,
                created_by=uris.user(subscription.creator_uuid),
            )
            delivered.append(delivery.describe())
        return delivered


def now() -> datetime:
    return datetime.now(UTC)


def sandbox_of(request: Request) -> Sandbox:
    return cast(Sandbox, request.app.state.sandbox)
