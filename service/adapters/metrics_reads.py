"""What /metrics reads from Postgres: only bounded lookups, never a scan of a growing table.

Queue depths and ages read the partial indexes of waiting rows (as many as are waiting),
open dead letters their status index, retries the highest attempt id, vendor calls the
counts kept as calls are logged (`service.adapters.integration_log`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.adapters.postgres import Connection

STATE = """
SELECT
  (SELECT count(*) FROM inbox  WHERE status = 'pending')                    AS inbox_pending,
  (SELECT count(*) FROM outbox WHERE status IN ('pending', 'in_flight'))    AS outbox_pending,
  (SELECT coalesce(extract(epoch FROM now() - min(received_at)), 0)
     FROM inbox WHERE status = 'pending')                                   AS inbox_oldest_s,
  (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)
     FROM outbox WHERE status IN ('pending', 'in_flight'))                  AS outbox_oldest_s,
  (SELECT count(*) FROM dead_letters WHERE status = 'open')                 AS dead_letters_open,
  (SELECT coalesce(max(id), 0) FROM work_attempts)                          AS retries
"""
VENDOR_CALLS = "SELECT system, status, calls FROM vendor_call_counts"
# Per system (calendly, zoom), the latest finished full run; runs for one course (`scope`)
# would hide a night's drift behind one course's.
DRIFT = """
SELECT latest.kind AS system, key AS kind, value::bigint AS count
  FROM (SELECT DISTINCT ON (kind) kind, drift FROM reconcile_runs
         WHERE finished_at IS NOT NULL AND scope IS NULL
         ORDER BY kind, finished_at DESC) latest,
       jsonb_each_text(latest.drift)
 WHERE value ~ '^[0-9]+$'
"""


# Attendance imports are one row per ended meeting instance; waiting imports and unmatched
# participants are read through their partial indexes.
ATTENDANCE = """
SELECT
  (SELECT count(*) FROM attendance_imports WHERE status = 'pending') AS pending,
  (SELECT count(*) FROM attendance_imports WHERE status = 'done')    AS done,
  (SELECT count(*) FROM attendance_imports WHERE status = 'failed')  AS failed,
  (SELECT count(*) FROM attendance_unmatched WHERE linked_at IS NULL) AS unmatched,
  (SELECT extract(epoch FROM finished_at - requested_at) FROM attendance_imports
    WHERE status = 'done' ORDER BY finished_at DESC LIMIT 1)          AS lag_last,
  (SELECT max(extract(epoch FROM finished_at - requested_at)) FROM attendance_imports
    WHERE status = 'done' AND finished_at > now() - interval '1 day') AS lag_max
"""


@dataclass(frozen=True)
class Snapshot:
    state: Any
    vendor_calls: list[Any]
    drift: list[Any]
    attendance: Any


async def read_snapshot(conn: Connection) -> Snapshot:
    state = await conn.fetchrow(STATE)
    return Snapshot(
        state,
        await conn.fetch(VENDOR_CALLS),
        await conn.fetch(DRIFT),
        await conn.fetchrow(ATTENDANCE),
    )
