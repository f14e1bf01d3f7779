"""A Calendly sync job (CONTRACT §5): queue a `sync_jobs` row, hand its id to a worker, run it.

Why the run works this way:
- One truth: every reading goes through `apply_event_reading` / `apply_invitee_reading`, the
  same merge webhooks use, so a sync and a late webhook agree whatever order they arrive in.
- One transaction per event (event + all its invitees), so a failure mid-run keeps everything
  before it, and the job's counts are written in that same transaction: what the job row says
  was done is exactly what is committed.
- Calendly is read outside any transaction (no locks held while waiting on the network), and an
  event whose `invitees_counter.total` is 0 costs no invitee call: the run makes the minimum
  number of page requests.
- All URIs an event's transaction touches are locked up front in sorted order, so it cannot
  deadlock with a webhook that locks the same URIs (e.g. the two halves of a reschedule).
- Modes: `recent` = events starting in the last 30 days and later, `since` = from a time,
  `full` = everything. Both statuses are read (no `status` filter), since a cancelled event
  must cancel what we stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from service.adapters import sync_jobs
from service.adapters.broker import Courier
from service.adapters.calendly_client import CalendlyClient
from service.adapters.calendly_connection import NOT_CONFIGURED, connect_calendly
from service.adapters.calendly_errors import CalendlyError
from service.adapters.sync_jobs import SyncCounts, SyncRequest
from service.adapters.work_items import notify
from service.config import Settings
from service.domain.calendly import (
    InviteeSnapshot,
    MalformedPayload,
    ScheduledEventSnapshot,
    invitee_from_rest,
    scheduled_event_from_rest,
)
from service.domain.sync_jobs import JobStatus, SyncMode
from service.logs import get_logger
from service.services.calendly_readings import (
    Change,
    apply_event_reading,
    apply_invitee_reading,
    lock_uris,
)
from service.services.errors import Unavailable
from service.services.resources import Resources
from service.services.unit_of_work import UnitOfWork

log = get_logger(__name__)

JOB_NAME = "calendly_sync"
RECENT_WINDOW = timedelta(days=30)


class SyncNotPossible(Exception):
    """The sync cannot start; the message says which setting to fix."""


@dataclass(frozen=True)
class SyncOutcome:
    status: JobStatus  # succeeded | failed
    counts: SyncCounts
    error: str | None = None


@dataclass
class _Run:
    """One job's moving parts; `skipped` lists records Calendly sent that we cannot read (the
    run goes on and ops get one notice)."""

    pool: asyncpg.Pool
    client: CalendlyClient
    job_id: uuid.UUID
    courier: Courier | None
    counts: SyncCounts = field(default_factory=SyncCounts)
    skipped: list[str] = field(default_factory=list)


async def start(rt: Resources, request: SyncRequest, actor: str) -> uuid.UUID:
    job_id = await request_sync(rt.pool, request, actor)
    if not await dispatch(rt.pool, rt.courier, job_id):
        raise Unavailable("the sync could not be queued (Redis unavailable); try again")
    return job_id


async def request_sync(pool: asyncpg.Pool, request: SyncRequest, requested_by: str) -> uuid.UUID:
    """Queue a job row; the caller hands `{"job_id"}` to a worker or runs it (the CLI)."""
    async with pool.acquire() as conn:
        return await sync_jobs.create_job(conn, request, requested_by)


async def dispatch(pool: asyncpg.Pool, courier: Courier, job_id: uuid.UUID) -> bool:
    """Hand a queued job to a worker; if Redis cannot take it, fail the row rather than
    leave it `queued` forever (jobs are not relayed like inbox and outbox items)."""
    if await courier.send_job(JOB_NAME, {"job_id": str(job_id)}):
        return True
    async with pool.acquire() as conn:
        await sync_jobs.fail_job(
            conn, job_id, "the job could not be handed to a worker (Redis unavailable); try again"
        )
    return False


def min_start_time(request: SyncRequest, now: datetime) -> datetime | None:
    if request.mode is SyncMode.RECENT:
        return now - RECENT_WINDOW
    if request.mode is SyncMode.SINCE:
        return request.since
    return None


async def run_sync(
    pool: asyncpg.Pool, settings: Settings, job_id: uuid.UUID, courier: Courier | None = None
) -> SyncOutcome | None:
    """Run one queued job to its end; None if it was not queued (a redelivered message)."""
    async with pool.acquire() as conn:
        request = await sync_jobs.start_job(conn, job_id)
    if request is None:
        log.info("calendly sync not queued; nothing to do", job_id=str(job_id))
        return None
    counts = SyncCounts()
    try:
        async with _client(pool, settings, job_id) as client:
            run = _Run(pool, client, job_id, courier, counts)
            scope = await _scope(client, settings)
            since = min_start_time(request, datetime.now(UTC))
            async for resource in client.iter_scheduled_events(scope, since):
                counts.synced += 1
                await _sync_event(run, resource)
    except (CalendlyError, SyncNotPossible) as error:
        return await _fail(pool, job_id, counts, str(error))
    except Exception as error:
        log.exception("calendly sync crashed", job_id=str(job_id))
        message = f"the sync stopped on an unexpected {type(error).__name__}; see the worker log"
        return await _fail(pool, job_id, counts, message)
    async with pool.acquire() as conn, conn.transaction():
        await sync_jobs.finish_job(conn, job_id, counts)
        if run.skipped:
            await notify(
                conn,
                "calendly_sync_skipped",
                f"The Calendly sync skipped {len(run.skipped)} unreadable record(s)",
                subject=f"calendly_sync:{job_id}",
                severity="warning",
                details={"problems": run.skipped[:100]},
            )
    log.info("calendly sync succeeded", job_id=str(job_id), **vars(counts))
    return SyncOutcome(JobStatus.SUCCEEDED, counts)


def _client(pool: asyncpg.Pool, settings: Settings, job_id: uuid.UUID) -> CalendlyClient:
    client = connect_calendly(settings, pool, {"job": JOB_NAME, "job_id": str(job_id)})
    if client is None:
        raise SyncNotPossible(NOT_CONFIGURED)
    return client


async def _scope(client: CalendlyClient, settings: Settings) -> str:
    """The organization (all hosts' webinars), else the user; discovered when not configured."""
    configured = settings.calendly_organization_uri or settings.calendly_user_uri
    if configured:
        return configured
    me = await client.current_user()
    organization: str | None = me.get("current_organization")
    return organization or str(me["uri"])


async def _sync_event(run: _Run, resource: dict[str, Any]) -> None:
    try:
        event = scheduled_event_from_rest(resource)
    except MalformedPayload as error:
        run.skipped.append(f"event {resource.get('uri')}: {error}")
        return
    invitees = await _read_invitees(run, event, resource)
    counts = run.counts
    async with run.pool.acquire() as conn:
        unit = UnitOfWork(conn)
        async with conn.transaction():
            await lock_uris(unit, event.uri, *_uris_touched(invitees))
            _, event_change = await apply_event_reading(unit, event)
            changes = {event_change}
            for invitee in invitees:
                changes.add(await apply_invitee_reading(unit, invitee, None))
            if event_change is Change.NEW:
                counts.new += 1
            elif changes != {Change.UNCHANGED}:
                counts.updated += 1
            await sync_jobs.save_progress(conn, run.job_id, counts)
    if run.courier is not None:
        await run.courier.send_outbox(unit.outbox_ids)


async def _read_invitees(
    run: _Run, event: ScheduledEventSnapshot, resource: dict[str, Any]
) -> list[InviteeSnapshot]:
    counter = resource.get("invitees_counter")
    if isinstance(counter, dict) and counter.get("total") == 0:
        return []  # nobody ever booked it: no call needed
    invitees = []
    async for item in run.client.iter_invitees(event.uri):
        try:
            invitees.append(invitee_from_rest(item, event.uri))
        except MalformedPayload as error:
            run.skipped.append(f"invitee {item.get('uri')}: {error}")
    return invitees


def _uris_touched(invitees: list[InviteeSnapshot]) -> list[str]:
    uris: list[str] = []
    for invitee in invitees:
        uris += [u for u in (invitee.uri, invitee.old_invitee, invitee.new_invitee) if u]
    return uris


async def _fail(
    pool: asyncpg.Pool, job_id: uuid.UUID, counts: SyncCounts, message: str
) -> SyncOutcome:
    async with pool.acquire() as conn, conn.transaction():
        await sync_jobs.fail_job(conn, job_id, message)
        await notify(
            conn,
            "sync_failed",
            f"Calendly sync failed: {message}",
            subject=f"calendly_sync:{job_id}",
            details={"job_id": str(job_id), "synced": counts.synced},
        )
    log.warning("calendly sync failed", job_id=str(job_id), error=message)
    return SyncOutcome(JobStatus.FAILED, counts, message)
