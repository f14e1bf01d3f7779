"""`webinar-sync sync calendly [--since ISO | --full]`: one sync job, run in this process.

The job gets a `sync_jobs` row like one an admin starts, so it shows in the API and in
`last_sync_time`; it runs here rather than on a worker so the command ends with the result.
"""

from __future__ import annotations

import asyncio
import sys

from service.adapters.postgres import create_pool
from service.adapters.sync_jobs import SyncRequest
from service.config import Settings
from service.domain.instants import InvalidInstant, parse_instant
from service.domain.sync_jobs import SyncMode
from service.services.calendly_sync import SyncOutcome, request_sync, run_sync


def run_calendly_sync(settings: Settings, *, since: str | None, full: bool) -> int:
    try:
        request = _request(since, full)
    except InvalidInstant as error:
        print(f"--since: {error}", file=sys.stderr)
        return 2
    database_url, _ = settings.require_services()
    outcome = asyncio.run(_run(database_url, settings, request))
    if outcome is None:
        return 1
    counts = outcome.counts
    print(f"synced={counts.synced} new={counts.new} updated={counts.updated}")
    if outcome.error:
        print(f"sync failed: {outcome.error}", file=sys.stderr)
        return 1
    return 0


def _request(since: str | None, full: bool) -> SyncRequest:
    if full:
        return SyncRequest(SyncMode.FULL)
    if since is not None:
        return SyncRequest(SyncMode.SINCE, parse_instant(since)[0])
    return SyncRequest(SyncMode.RECENT)


async def _run(database_url: str, settings: Settings, request: SyncRequest) -> SyncOutcome | None:
    pool = await create_pool(database_url, max_size=4)
    try:
        job_id = await request_sync(pool, request, "cli")
        return await run_sync(pool, settings, job_id)
    finally:
        await pool.close()
