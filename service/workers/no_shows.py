"""No-shows back to Calendly (CONTRACT §7): an invitee not attended is a no-show there too.

Whoever changes `attended` (an admin, the Zoom import) queues `sync_calendly_no_show` for the
attendee; the command reads the attendee as it is *then* and brings Calendly in line: `POST
/invitee_no_shows` once when not attended (keeping the returned no-show URI), `DELETE` that
no-show when attended or pending again. Before creating, the invitee is read: a no-show already
there (a lost answer to our POST, or one set in Calendly) is adopted, never created twice.

Every no-show the service created is kept in `calendly_no_shows_sent`, so the
`invitee_no_show.*` webhook that reports it back is recognised and changes nothing
(`is_own_no_show_echo`); other no-show webhooks (set in Calendly) keep their URI on the
attendee, so undoing the mark here deletes Calendly's no-show too.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.adapters.calendly_client import CalendlyClient
from service.adapters.calendly_errors import CalendlyError, CalendlyRateLimited, CalendlyUnavailable
from service.adapters.integration_log import PostgresCallRecorder
from service.adapters.postgres import Connection
from service.domain.failure_policy import Terminal
from service.services.no_show_queue import SYNC_NO_SHOW
from service.services.unit_of_work import UnitOfWork
from service.workers.outbox import CommandTable, OutboxCommand, OutboxItem
from service.workers.runtime import WorkerRuntime


async def is_own_no_show_echo(
    conn: Connection, created: bool, payload: Mapping[str, object]
) -> bool:
    """Whether an `invitee_no_show.*` webhook reports a no-show this service created or deleted."""
    if created:
        # Calendly may report our POST before its answer reached us (then our command is
        # still in flight and has not stored the URI yet).
        no_show = payload.get("no_show")
        uri = no_show.get("uri") if isinstance(no_show, dict) else None
        found = await conn.fetchval(
            """
            SELECT EXISTS (SELECT 1 FROM calendly_no_shows_sent
                            WHERE uri = $1 AND deleted_at IS NULL)
                OR EXISTS (SELECT 1 FROM outbox o JOIN calendly_attendees a
                                   ON o.subject = 'no-show:' || a.id
                            WHERE a.uri = $2 AND o.command = $3 AND o.status = 'in_flight')
            """,
            uri,
            payload.get("uri"),
            SYNC_NO_SHOW,
        )
        return bool(found)
    # The webhook may overtake our own bookkeeping of the DELETE: what counts is that we sent a
    # no-show for this invitee and no longer want one.
    found = await conn.fetchval(
        """
        SELECT true FROM calendly_no_shows_sent s JOIN calendly_attendees a ON a.id = s.attendee_id
         WHERE a.uri = $1 AND a.attended IS DISTINCT FROM false
         LIMIT 1
        """,
        payload.get("uri"),
    )
    return bool(found)


async def remember_no_show(
    conn: Connection, invitee_uri: str, payload: Mapping[str, object] | None
) -> None:
    """Keep the URI of a no-show set in Calendly (None: it was undone there).

    A person set or undid it in Calendly: that is a mark by hand, which Zoom never overwrites.
    """
    no_show = payload.get("no_show") if payload is not None else None
    uri = no_show.get("uri") if isinstance(no_show, dict) else None
    await conn.execute(
        """
        UPDATE calendly_attendees SET no_show_uri = $2, attendance_source = 'manual'
         WHERE uri = $1
        """,
        invitee_uri,
        uri if isinstance(uri, str) else None,
    )


def _client(runtime: WorkerRuntime, attendee_id: int) -> CalendlyClient:
    settings = runtime.settings
    assert settings.calendly_api_token is not None  # push_no_shows requires it
    return CalendlyClient(
        settings.calendly_api_base_url,
        settings.calendly_api_token,
        PostgresCallRecorder(runtime.pool),
        cause={"attendee_id": str(attendee_id), "reason": "no-show"},
    )


async def sync_no_show(runtime: WorkerRuntime, item: OutboxItem) -> None:
    if not runtime.settings.push_no_shows:
        return
    attendee_id = int(item.subject.removeprefix("no-show:"))
    async with runtime.pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT uri, attended, no_show_uri FROM calendly_attendees WHERE id = $1", attendee_id
        )
    if row is None or row["uri"] is None:
        return
    wants_no_show = row["attended"] is False
    if wants_no_show == (row["no_show_uri"] is not None):
        return
    async with _client(runtime, attendee_id) as calendly:
        try:
            if wants_no_show:
                await _create(runtime, calendly, attendee_id, row["uri"])
            else:
                await calendly.delete_no_show(row["no_show_uri"])
                await _deleted(runtime, attendee_id, row["no_show_uri"])
        except (CalendlyRateLimited, CalendlyUnavailable):
            raise  # retried with back-off by the outbox
        except CalendlyError as error:
            raise Terminal(str(error)) from error


async def _create(
    runtime: WorkerRuntime, calendly: CalendlyClient, attendee_id: int, invitee_uri: str
) -> None:
    invitee = await calendly.get_invitee(invitee_uri)
    existing = invitee.get("no_show")
    if isinstance(existing, dict) and existing.get("uri"):
        uri = str(existing["uri"])
    else:
        uri = str((await calendly.create_no_show(invitee_uri))["uri"])
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute(
            """
            INSERT INTO calendly_no_shows_sent (uri, attendee_id) VALUES ($1, $2)
            ON CONFLICT (uri) DO NOTHING
            """,
            uri,
            attendee_id,
        )
        await conn.execute(
            "UPDATE calendly_attendees SET no_show_uri = $2 WHERE id = $1", attendee_id, uri
        )
    # Changed again meanwhile? A command queued by that change waits for this one, then undoes.


async def _deleted(runtime: WorkerRuntime, attendee_id: int, uri: str) -> None:
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "UPDATE calendly_no_shows_sent SET deleted_at = now() WHERE uri = $1", uri
        )
        await conn.execute(
            "UPDATE calendly_attendees SET no_show_uri = NULL WHERE id = $1 AND no_show_uri = $2",
            attendee_id,
            uri,
        )


async def no_show_dead(unit: UnitOfWork, item: OutboxItem, error: Exception) -> None:
    await unit.notify(
        "sync_failed",
        f"Calendly no-show of attendee {item.subject.removeprefix('no-show:')} "
        f"could not be brought in line: {error}",
        subject=item.subject,
    )


def no_show_commands() -> CommandTable:
    return {SYNC_NO_SHOW: OutboxCommand(sync_no_show, no_show_dead, source="calendly")}
