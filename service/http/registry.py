"""The process's Prometheus registry and the counter the webhooks bump; `/metrics`
(`service/api/metrics.py`) adds the rest and serves it."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

REGISTRY = CollectorRegistry()
INGRESS_EVENTS = Counter(
    "webinar_sync_ingress_events_total",
    "Webhook deliveries stored, by source and outcome (accepted, duplicate, ignored)",
    ["source", "outcome"],
    registry=REGISTRY,
)
