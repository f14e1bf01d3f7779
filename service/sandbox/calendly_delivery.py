"""Deliver signed webhooks to subscriptions' callback URLs and remember what happened.

Calendly keeps retrying failed deliveries for 24 h (facts §3); the sandbox makes one attempt,
marks the subscription's `retry_started_at`, and lets tests redeliver on demand, so a test
decides when a "retry" arrives instead of waiting on a backoff schedule.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from service.sandbox.calendly_payloads import iso
from service.sandbox.calendly_push import SIGNATURE_HEADER, build_delivery
from service.sandbox.calendly_state import SandboxError, Subscription

# Calendly's own delivery timeouts: connect 10 s, read 15 s (facts §3).
DELIVERY_TIMEOUT = httpx.Timeout(15.0, connect=10.0)


@dataclass
class Delivery:
    id: int
    subscription_uuid: str
    subscription_uri: str
    callback_url: str
    event: str
    payload: dict[str, Any]
    created_by: str
    created_at: datetime
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        last = self.attempts[-1] if self.attempts else {}
        return {
            "id": self.id,
            "subscription": self.subscription_uri,
            "callback_url": self.callback_url,
            "event": self.event,
            "payload_uri": self.payload.get("uri"),
            "status": last.get("status"),
            "error": last.get("error"),
            "signature": last.get("signature"),
            "body": last.get("body"),
            "attempts": len(self.attempts),
        }


@dataclass
class Deliverer:
    """`http` is opened by the app's lifespan, so the app can be served more than once."""

    http: httpx.AsyncClient | None = None
    deliveries: list[Delivery] = field(default_factory=list)

    async def deliver(
        self,
        subscription: Subscription,
        subscription_uri: str,
        event: str,
        payload: dict[str, Any],
        created_by: str,
    ) -> Delivery:
        delivery = Delivery(
            id=len(self.deliveries) + 1,
            subscription_uuid=subscription.uuid,
            subscription_uri=subscription_uri,
            callback_url=subscription.callback_url,
            event=event,
            payload=payload,
            created_by=created_by,
            created_at=datetime.now(UTC),
        )
        self.deliveries.append(delivery)
        await self._attempt(delivery, subscription)
        return delivery

    def find(self, delivery_id: int) -> Delivery:
        if not 1 <= delivery_id <= len(self.deliveries):
            raise SandboxError(404, f"no delivery {delivery_id}")
        return self.deliveries[delivery_id - 1]

    async def redeliver(self, delivery: Delivery, subscription: Subscription) -> Delivery:
        """Another attempt of the same event: same envelope, freshly signed (like a retry)."""
        await self._attempt(delivery, subscription)
        return delivery

    async def _attempt(self, delivery: Delivery, subscription: Subscription) -> None:
        if self.http is None:
            raise RuntimeError("serve the sandbox Calendly with its lifespan to deliver webhooks")
        now = datetime.now(UTC)
        headers, body = build_delivery(
            delivery.event,
            delivery.payload,
            subscription.signing_key,
            now,
            created_by=delivery.created_by,
            created_at=delivery.created_at,
        )
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            response = await self.http.post(
                delivery.callback_url, content=body, headers=headers, follow_redirects=False
            )
            status = response.status_code
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        delivery.attempts.append(
            {
                "at": iso(now),
                "status": status,
                "error": error,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "signature": headers.get(SIGNATURE_HEADER),
                "body": json.loads(body),
            }
        )
        succeeded = status is not None and 200 <= status < 300  # 3xx counts as failure (§3)
        if succeeded:
            subscription.retry_started_at = None
        elif subscription.retry_started_at is None:
            subscription.retry_started_at = now
