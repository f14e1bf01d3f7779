"""Reconciliation: re-read Calendly and Zoom, repair drift, and write down what was found.

Webhooks get lost (Calendly silently disables a subscription after 24 h of failures; Zoom drops
an event after three retries) and people change Zoom by hand. So every night, and for one course
whenever Zoom tells us something about its meeting, the service compares the vendors with its own
truth and repairs the difference through the same paths normal work takes:

- Calendly: the subscription watchdog first (a disabled or vanished subscription is deleted and
  created again, ops are notified, and Calendly is re-read from when deliveries stopped), then the
  REST re-read of the last 30 days (both statuses, with invitees) through `apply_*_reading`, the
  merge webhooks use. Drift = events stored anew or changed by that re-read.
- Zoom: for each synced course, every registrant (approved, pending, denied; every page) against
  the bookings. A confirmed booking with no approved registrant, or a cancelled booking still
  approved, is written into our view of Zoom as it really is, and the course decision queues the
  same registrant command a booking event would. A registrant no booking explains is reported,
  never deleted (a host may have invited a guest). Re-adds respect Zoom's 3 adds per registrant
  and day: the reconciler re-adds one booking at most once per UTC day.

Each run is a `reconcile_runs` row: drift counts (the `webinar_sync_reconcile_drift` metric) and
a report with one entry per drifted object.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg

from service.adapters import courses as repo
from service.adapters.calendly_client import CalendlyClient, CalendlyError
from service.adapters.integration_log import PostgresCallRecorder
from service.adapters.sync_jobs import SyncRequest
from service.adapters.work_items import notify
from service.adapters.zoom import ZoomClient, ZoomDeferred, ZoomError, ZoomTerminal
from service.config import Settings
from service.domain.registrants import RegistrantState
from service.logs import get_logger
from service.services.calendly_sync import request_sync
from service.services.course_decisions import (
    booking_subject,
    course_subject,
    decide_course,
    registrant_goal,
)
from service.services.unit_of_work import UnitOfWork
from service.workers.calendly_sync import RECENT_WINDOW, run_sync
from service.workers.outbox import CommandTable, OutboxCommand, OutboxItem
from service.workers.runtime import WorkerRuntime

log = get_logger(__name__)

JOB_NAME = "reconcile"
RECONCILE_COURSE = "reconcile_course"
ZOOM_STATUSES = ("approved", "pending", "denied")
ZOOM_MEETING_NOT_FOUND = 3001
CALENDLY_EVENTS = [
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
]


class ReconcileNotPossible(Exception):
    """A setting is missing; the message names it."""


@dataclass
class Drift:
    counts: Counter[str] = field(default_factory=Counter)
    report: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: str, **entry: Any) -> None:
        self.counts[kind] += 1
        self.report.append({"kind": kind, **entry})


# -- runs ------------------------------------------------------------------------------------


async def _start_run(pool: asyncpg.Pool, kind: str, scope: str | None) -> int:
    async with pool.acquire() as conn:
        run_id: int = await conn.fetchval(
            "INSERT INTO reconcile_runs (kind, scope) VALUES ($1, $2) RETURNING id", kind, scope
        )
    return run_id


async def _finish_run(
    pool: asyncpg.Pool, run_id: int, drift: Drift, error: str | None = None
) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            """
            UPDATE reconcile_runs SET status = $2, drift = $3, report = $4, error = $5,
                                      finished_at = now()
             WHERE id = $1
            """,
            run_id,
            "failed" if error else "succeeded",
            dict(drift.counts),
            drift.report,
            error,
        )


Work = Callable[[int, Drift], Awaitable[None]]


async def _recorded(
    pool: asyncpg.Pool, kind: str, scope: str | None, work: Work, *, reraise: bool = False
) -> dict[str, Any]:
    """Run `work(run_id, drift)` as one reconcile run; its failure is kept on the run.

    `reraise`: an outbox command lets the executor classify the failure (retry, defer, dead).
    """
    run_id = await _start_run(pool, kind, scope)
    drift = Drift()
    try:
        await work(run_id, drift)
    except (ReconcileNotPossible, CalendlyError, ZoomError) as error:
        await _finish_run(pool, run_id, drift, str(error))
        log.warning("reconciliation failed", kind=kind, run_id=run_id, error=str(error))
        if reraise:
            raise
        return {"run_id": run_id, "kind": kind, "status": "failed", "error": str(error)}
    except Exception as error:
        log.exception("reconciliation crashed", kind=kind, run_id=run_id)
        await _finish_run(pool, run_id, drift, f"{type(error).__name__}: {error}")
        raise
    await _finish_run(pool, run_id, drift)
    log.info("reconciliation finished", kind=kind, run_id=run_id, drift=dict(drift.counts))
    return {"run_id": run_id, "kind": kind, "status": "succeeded", "drift": dict(drift.counts)}


async def reconcile(runtime: WorkerRuntime, target: str) -> list[dict[str, Any]]:
    """`webinar-sync reconcile [calendly|zoom|all]` and the nightly job."""
    results = []
    if target in ("calendly", "all"):
        results.append(await reconcile_calendly(runtime))
    if target in ("zoom", "all"):
        results.append(await reconcile_zoom(runtime))
    return results


async def reconcile_job(runtime: WorkerRuntime, arguments: dict[str, object]) -> object:
    """The `reconcile` job: `{"target": "calendly"|"zoom"|"all"|"calendly_subscription"}`."""
    target = str(arguments.get("target", "all"))
    if target == "calendly_subscription":
        return await watch_subscription(runtime)
    return await reconcile(runtime, target)


# -- Calendly --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionCheck:
    """What the watchdog found and did. `stopped_at`: since when deliveries may have been lost."""

    callback_url: str
    found: str  # active | disabled | missing
    action: str  # none | created | recreated
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
    if not settings.calendly_api_token:
        raise ReconcileNotPossible(
            "CALENDLY_API_TOKEN is not set, so Calendly cannot be read; set a personal access token"
        )
    return CalendlyClient(
        settings.calendly_api_base_url,
        settings.calendly_api_token,
        PostgresCallRecorder(pool),
        cause=cause,
    )


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
            watched = await conn.fetchrow(
                "SELECT * FROM calendly_subscription_watch WHERE callback_url = $1", url
            )
        if ours and all(s.get("state") == "active" for s in ours):
            await _watched(pool, url, ours[0]["uri"], "active")
            return SubscriptionCheck(url, "active", "none", ours[0]["uri"])
        if ours:
            found = "disabled"
            stopped_at = _stopped_at(ours)
        else:
            found = "missing"
            stopped_at = watched["last_active_at"] if watched is not None else None
        for subscription in ours:
            await client.delete_webhook_subscription(subscription["uri"])
        created = await client.create_webhook_subscription(
            url,
            CALENDLY_EVENTS,
            organization=organization,
            user=user,
            scope=scope,
            signing_key=settings.calendly_webhook_signing_keys[0],
        )
    check = SubscriptionCheck(
        url, found, "recreated" if ours else "created", created["uri"], stopped_at
    )
    await _watched(pool, url, created["uri"], "active")
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


async def _watched(pool: asyncpg.Pool, url: str, uri: str, state: str) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            """
            INSERT INTO calendly_subscription_watch
                (callback_url, subscription_uri, state, last_active_at, checked_at)
            VALUES ($1, $2, $3, now(), now())
            ON CONFLICT (callback_url) DO UPDATE
               SET subscription_uri = EXCLUDED.subscription_uri, state = EXCLUDED.state,
                   last_active_at = now(), checked_at = now()
            """,
            url,
            uri,
            state,
        )


async def watch_subscription(runtime: WorkerRuntime) -> dict[str, Any]:
    """The hourly watchdog: repair the subscription; after a repair, backfill at once."""
    if not runtime.settings.calendly_configured:
        return {"skipped": "CALENDLY_API_TOKEN is not set"}
    check = await ensure_subscription(runtime.pool, runtime.settings)
    if check.action == "none":
        return check.as_json()
    return {**check.as_json(), "backfill": await reconcile_calendly(runtime, repaired=check)}


async def reconcile_calendly(
    runtime: WorkerRuntime, *, repaired: SubscriptionCheck | None = None
) -> dict[str, Any]:
    pool, settings = runtime.pool, runtime.settings

    async def work(run_id: int, drift: Drift) -> None:
        check = repaired or await ensure_subscription(pool, settings)
        if check.action != "none":
            drift.add("subscription_repaired", **check.as_json())
        since = datetime.now(UTC) - RECENT_WINDOW
        if check.stopped_at is not None:
            since = min(since, check.stopped_at)
        job_id = await request_sync(pool, SyncRequest("since", since), f"reconcile:{run_id}")
        outcome = await run_sync(pool, settings, job_id, runtime.courier)
        if outcome is None or outcome.status != "succeeded":
            error = outcome.error if outcome else "the sync job did not run"
            raise ReconcileNotPossible(f"the Calendly re-read failed: {error}")
        counts = outcome.counts
        drift.counts["new_events"] += counts.new
        drift.counts["updated_events"] += counts.updated
        drift.report.append(
            {
                "kind": "calendly_reread",
                "job_id": str(job_id),
                "since": since.isoformat(),
                "synced": counts.synced,
                "new": counts.new,
                "updated": counts.updated,
            }
        )

    return await _recorded(pool, "calendly", None, work)


# -- Zoom ------------------------------------------------------------------------------------


def _zoom(runtime: WorkerRuntime) -> ZoomClient:
    if runtime.zoom is None:
        raise ReconcileNotPossible(
            "Zoom credentials are not configured (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, "
            "ZOOM_CLIENT_SECRET), so Zoom cannot be compared"
        )
    return runtime.zoom


async def reconcile_zoom(runtime: WorkerRuntime) -> dict[str, Any]:
    """Every synced course with a live meeting, one after the other (Zoom's limiter paces it)."""

    async def work(run_id: int, drift: Drift) -> None:
        zoom = _zoom(runtime)
        async with runtime.pool.acquire() as conn:
            course_ids = [
                r["course_id"]
                for r in await conn.fetch(
                    """
                    SELECT m.course_id FROM zoom_meetings m JOIN courses c ON c.id = m.course_id
                     WHERE c.zoom_synced AND m.meeting_id IS NOT NULL AND m.deleted_at IS NULL
                     ORDER BY m.course_id
                    """
                )
            ]
        for course_id in course_ids:
            cause = {"reconcile_run": str(run_id)}
            try:
                await reconcile_course(runtime, zoom, course_id, drift, cause)
            except ZoomDeferred:
                raise  # a daily limit: the rest of the run would hit it too
            except ZoomError as error:  # one course's trouble must not hide the others' drift
                drift.add("course_failed", course_id=course_id, error=str(error))
        drift.report.append({"kind": "summary", "courses_checked": len(course_ids)})

    return await _recorded(runtime.pool, "zoom", None, work)


@dataclass(frozen=True)
class _InZoom:
    id: str
    email: str
    status: str  # approved | pending | denied


async def _registrants(
    zoom: ZoomClient, meeting_id: int, cause: dict[str, str]
) -> dict[str, _InZoom]:
    """By case-folded email; an approved registrant wins over a pending or denied one."""
    found: dict[str, _InZoom] = {}
    for status in reversed(ZOOM_STATUSES):  # denied, pending, then approved overwrites
        for registrant in await zoom.list_registrants(meeting_id, status, cause=cause):
            email = str(registrant.get("email", ""))
            found[email.casefold()] = _InZoom(str(registrant["id"]), email, status)
    return found


async def reconcile_course(
    runtime: WorkerRuntime,
    zoom: ZoomClient,
    course_id: str,
    drift: Drift,
    cause: dict[str, str],
) -> None:
    """Compare one course's registrants in Zoom with its bookings and queue the repairs."""
    async with runtime.pool.acquire() as conn:
        meeting = await repo.load_meeting(conn, course_id)
    meeting_id = meeting.live_id if meeting is not None else None
    if meeting is None or meeting_id is None:
        return
    call_cause = {**cause, "course_id": course_id}
    try:
        in_zoom = await _registrants(zoom, meeting_id, call_cause)
    except ZoomTerminal as error:
        if error.code != ZOOM_MEETING_NOT_FOUND and error.status != 404:
            raise
        await _meeting_missing(runtime.pool, course_id, meeting_id, drift)
        return
    async with runtime.pool.acquire() as conn:
        unit = UnitOfWork(conn)
        async with conn.transaction():
            await unit.lock(course_subject(course_id))
            await _compare(unit, course_id, meeting_id, in_zoom, drift)
            await decide_course(unit, course_id, call_cause)
    await runtime.courier.send_outbox(unit.outbox_ids)


async def _meeting_missing(
    pool: asyncpg.Pool, course_id: str, meeting_id: int, drift: Drift
) -> None:
    """Not recreated automatically: a meeting deleted in Zoom may have been deleted on purpose."""
    message = (
        f"Course {course_id}: Zoom meeting {meeting_id} no longer exists in Zoom; check whether "
        "it was deleted on purpose, then cancel the course or sync it again"
    )
    drift.add("meeting_missing", course_id=course_id, meeting_id=meeting_id, message=message)
    async with pool.acquire() as conn:
        await notify(conn, "reconcile_drift", message, subject=course_subject(course_id))


async def _compare(
    unit: UnitOfWork, course_id: str, meeting_id: int, in_zoom: dict[str, _InZoom], drift: Drift
) -> None:
    """Under the course lock: correct our view of Zoom where it is wrong, so the course
    decision that follows queues the repair. Bookings with work in flight are left alone."""
    conn = unit.conn
    stored = await repo.load_course(conn, course_id)
    meeting = await repo.load_meeting(conn, course_id)
    if stored is None or stored.course is None or meeting is None:
        return
    if meeting.live_id != meeting_id:
        return  # replaced meanwhile; the next run compares the new one
    course, host = stored.course, meeting.host or ""
    bookings = await repo.load_bookings(conn, course_id)
    rows = await repo.load_registrants(conn, course_id)
    busy = await _busy_subjects(unit, [booking_subject(b.id) for b in bookings])
    explained = await _calendly_emails(unit, meeting_id)
    for booking in bookings:
        goal = registrant_goal(booking, course, host, bookings)
        row = rows.get(booking.id)
        on_meeting = row is not None and row.meeting_id == meeting_id
        email = row.email if row is not None and on_meeting and row.email else goal.email
        explained |= {e.casefold() for e in (email, goal.email) if e}
        if booking_subject(booking.id) in busy or (row and row.state in ("in_flight", "failed")):
            continue
        found = in_zoom.get(email.casefold()) if email else None
        entry = {"course_id": course_id, "booking_id": booking.id, "email": email}
        if goal.state is RegistrantState.APPROVED and goal.email:
            if found is not None and found.status == "approved":
                continue
            if row is None or not on_meeting:
                continue  # never registered yet: the course decision adds it anyway
            if found is None and not await _may_readd(unit, booking.id):
                drift.add("readd_postponed", **entry, reason="re-added once today already")
                continue
            drift.add(
                "missing_registrant" if found is None else "registrant_not_approved",
                **entry,
                zoom_status=found.status if found else None,
            )
            await repo.registrant_known(
                conn,
                booking.id,
                registrant_id=found.id if found else None,
                email=email,
                join_url=row.join_url if found else None,
                zoom_status="cancelled" if found else None,
                state="pending",
            )
        elif goal.state is RegistrantState.CANCELLED and found and found.status == "approved":
            drift.add("cancelled_still_approved", **entry, registrant_id=found.id)
            if not on_meeting:
                await repo.registrant_in_flight(conn, booking, meeting_id, found.email)
            await repo.registrant_known(
                conn,
                booking.id,
                registrant_id=found.id,
                email=found.email,
                join_url=row.join_url if row is not None and on_meeting else None,
                zoom_status="approved",
                state="pending",
            )
    for key, registrant in sorted(in_zoom.items()):
        if key not in explained and registrant.status != "denied":
            drift.add(
                "unexplained_registrant",
                course_id=course_id,
                meeting_id=meeting_id,
                registrant_id=registrant.id,
                email=registrant.email,
                zoom_status=registrant.status,
            )


async def _busy_subjects(unit: UnitOfWork, subjects: list[str]) -> set[str]:
    rows = await unit.conn.fetch(
        """
        SELECT DISTINCT subject FROM outbox
         WHERE subject = ANY($1::text[]) AND status IN ('pending', 'in_flight')
        """,
        subjects,
    )
    return {r["subject"] for r in rows}


async def _calendly_emails(unit: UnitOfWork, meeting_id: int) -> set[str]:
    """Registrants a Calendly event-type mapping put on this meeting are explained too."""
    rows = await unit.conn.fetch(
        "SELECT email FROM calendly_zoom_registrants WHERE meeting_id = $1 AND email IS NOT NULL",
        meeting_id,
    )
    return {r["email"].casefold() for r in rows}


async def _may_readd(unit: UnitOfWork, booking_id: str) -> bool:
    claimed = await unit.conn.fetchval(
        """
        INSERT INTO zoom_reconcile_readds (booking_id, day)
        VALUES ($1, (now() AT TIME ZONE 'UTC')::date)
        ON CONFLICT DO NOTHING RETURNING true
        """,
        booking_id,
    )
    return bool(claimed)


# -- one course, after a Zoom webhook --------------------------------------------------------


async def reconcile_course_command(runtime: WorkerRuntime, item: OutboxItem) -> None:
    """The outbox command a Zoom webhook queues: reconcile that course, as its own run."""
    course_id = item.subject.removeprefix("course:")
    zoom = runtime.zoom
    if zoom is None:
        return  # nothing to compare with; the nightly run reports the missing credentials

    async def work(run_id: int, drift: Drift) -> None:
        await reconcile_course(runtime, zoom, course_id, drift, {**item.cause})

    await _recorded(runtime.pool, "zoom", course_subject(course_id), work, reraise=True)


async def reconcile_course_dead(unit: UnitOfWork, item: OutboxItem, error: Exception) -> None:
    await unit.notify(
        "sync_failed",
        f"Reconciling {item.subject} with Zoom failed: {error}",
        subject=item.subject,
    )


def reconcile_commands() -> CommandTable:
    return {RECONCILE_COURSE: OutboxCommand(reconcile_course_command, reconcile_course_dead)}


# -- scheduling ------------------------------------------------------------------------------


async def nightly_reconcile(runtime: WorkerRuntime) -> str:
    """Scheduled: the full run goes to a worker, so the scheduler's loop (and the relay on it)
    never waits for Calendly or Zoom. A lost message costs one night; the run rows show it."""
    sent = await runtime.courier.send_job(JOB_NAME, {"target": "all"})
    return "queued" if sent else "failed to queue (Redis unavailable)"


async def hourly_subscription_watch(runtime: WorkerRuntime) -> str:
    """Scheduled: Calendly disables a failing subscription silently; notice within the hour."""
    if not runtime.settings.calendly_configured:
        return "skipped: CALENDLY_API_TOKEN is not set"
    sent = await runtime.courier.send_job(JOB_NAME, {"target": "calendly_subscription"})
    return "queued" if sent else "failed to queue (Redis unavailable)"
