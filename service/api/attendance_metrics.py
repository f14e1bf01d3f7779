"""Attendance metrics (CONTRACT §7), from the row `service.adapters.metrics_reads` reads.

- `webinar_sync_attendance_imports{status}`: imports by status (pending, done, failed);
- `webinar_sync_attendance_import_lag_seconds{which}`: time from the import's request (the
  `meeting.ended` webhook, or the sweep) to its finished import, Zoom's delay included, for
  the latest import (`last`) and the worst of the last 24 h (`max_24h`);
- `webinar_sync_attendance_unmatched_waiting`: participants waiting to be linked.
"""

from __future__ import annotations

from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric


def attendance_families(row: Any) -> list[Metric]:
    imports = GaugeMetricFamily(
        "webinar_sync_attendance_imports", "Attendance imports by status", labels=["status"]
    )
    for status in ("pending", "done", "failed"):
        imports.add_metric([status], row[status])
    lag = GaugeMetricFamily(
        "webinar_sync_attendance_import_lag_seconds",
        "From meeting.ended (or the sweep) to the finished import",
        labels=["which"],
    )
    lag.add_metric(["last"], float(row["lag_last"] or 0))
    lag.add_metric(["max_24h"], float(row["lag_max"] or 0))
    waiting = GaugeMetricFamily(
        "webinar_sync_attendance_unmatched_waiting", "Zoom participants waiting to be linked"
    )
    waiting.add_metric([], row["unmatched"])
    return [imports, lag, waiting]
