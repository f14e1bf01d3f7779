"""GET /metrics (Prometheus).

Ingress counters and latencies are this process's own (`service.http.ingress_metrics`).
Everything about work in flight — queue depth, oldest pending age, dead letters, retries,
vendor calls, 429s, drift — is read from Postgres, because workers on other machines do
that work and Postgres is where its truth is: with bounded queries
(`service.adapters.metrics_reads`), at most once per REFRESH_SECONDS, so /metrics (open to
anyone) cannot load the database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

import asyncpg
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from starlette.requests import Request
from starlette.responses import Response

from service.adapters.metrics_reads import Snapshot, read_snapshot
from service.api.attendance_metrics import attendance_families
from service.api.operation import HEALTH, Answer, Operation
from service.http.registry import REGISTRY
from service.http.runtime import runtime


class _DatabaseCollector:
    """Collects the Postgres-derived metrics; filled per scrape by `metrics`."""

    def __init__(self) -> None:
        self.families: list[Metric] = []

    def collect(self) -> Iterable[Metric]:
        return list(self.families)


_DATABASE = _DatabaseCollector()
REGISTRY.register(_DATABASE)


METRICS = Operation(
    "Prometheus metrics", HEALTH, {200: Answer("Metrics", media="text/plain")}, public=True
)


async def metrics(request: Request) -> Response:
    snapshot = await _CACHE.get(runtime(request).pool)
    state, calls, drift = snapshot.state, snapshot.vendor_calls, snapshot.drift
    assert state is not None
    families: list[Metric] = attendance_families(snapshot.attendance)
    depth = GaugeMetricFamily(
        "webinar_sync_queue_depth", "Items waiting to be processed", labels=["queue"]
    )
    depth.add_metric(["inbox"], state["inbox_pending"])
    depth.add_metric(["outbox"], state["outbox_pending"])
    oldest = GaugeMetricFamily(
        "webinar_sync_oldest_pending_age_seconds",
        "Age of the oldest waiting item",
        labels=["queue"],
    )
    oldest.add_metric(["inbox"], float(state["inbox_oldest_s"]))
    oldest.add_metric(["outbox"], float(state["outbox_oldest_s"]))
    dead = GaugeMetricFamily("webinar_sync_dead_letters_open", "Dead letters awaiting ops")
    dead.add_metric([], state["dead_letters_open"])
    retries = CounterMetricFamily("webinar_sync_retries", "Failed attempts that were recorded")
    retries.add_metric([], state["retries"])
    vendor = CounterMetricFamily(
        "webinar_sync_vendor_calls",
        "Outbound vendor calls by HTTP status",
        labels=["system", "status"],
    )
    limited = CounterMetricFamily(
        "webinar_sync_vendor_rate_limited", "Vendor answers with HTTP 429", labels=["system"]
    )
    for row in calls:
        vendor.add_metric([row["system"], row["status"]], row["calls"])
        if row["status"] == "429":
            limited.add_metric([row["system"]], row["calls"])
    drifted = GaugeMetricFamily(
        "webinar_sync_reconcile_drift",
        "Drift found by the latest full reconciliation of each system, by kind of drift",
        labels=["system", "kind"],
    )
    for row in drift:
        drifted.add_metric([row["system"], row["kind"]], row["count"])
    families += [depth, oldest, dead, retries, vendor, limited, drifted]
    _DATABASE.families = families
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


class _SnapshotCache:
    """The Postgres-derived numbers, read at most once per REFRESH_SECONDS per process:
    scrapes, however many and whoever sends them, cost the database one bounded read."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self._read_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self, pool: asyncpg.Pool) -> Snapshot:
        async with self._lock:
            if self._snapshot is None or time.monotonic() - self._read_at >= REFRESH_SECONDS:
                async with pool.acquire() as conn:
                    self._snapshot = await read_snapshot(conn)
                self._read_at = time.monotonic()
            return self._snapshot


REFRESH_SECONDS = 5.0
_CACHE = _SnapshotCache()
