"""Ingress metrics: every /webhooks/* request counted by source and status, and timed."""

from __future__ import annotations

import time

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http.registry import REGISTRY

INGRESS_REQUESTS = Counter(
    "webinar_sync_ingress_requests_total",
    "Webhook requests by source and HTTP status",
    ["source", "status"],
    registry=REGISTRY,
)
INGRESS_LATENCY = Histogram(
    "webinar_sync_ingress_latency_seconds",
    "Time to answer a webhook request (includes the Postgres commit)",
    ["source"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
    registry=REGISTRY,
)


class IngressMetricsMiddleware:
    """Counts and times every /webhooks/* request, whatever its answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/webhooks/"):
            await self.app(scope, receive, send)
            return
        source = path.removeprefix("/webhooks/").split("/")[0] or "unknown"
        if source not in {"calendly", "booking", "zoom"}:
            source = "unknown"
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            record_ingress(source, status, time.perf_counter() - started)


def record_ingress(source: str, status: int, seconds: float) -> None:
    """Count and time one webhook request; the labelled series are looked up once each."""
    series = _INGRESS_SERIES.get((source, status))
    if series is None:
        series = (
            INGRESS_LATENCY.labels(source=source),
            INGRESS_REQUESTS.labels(source=source, status=str(status)),
        )
        _INGRESS_SERIES[source, status] = series
    latency, requests = series
    latency.observe(seconds)
    requests.inc()


_INGRESS_SERIES: dict[tuple[str, int], tuple[Histogram, Counter]] = {}
