"""No-shows back to Calendly (CONTRACT §7): an invitee not attended is a no-show there too.

Whoever changes `attended` (an admin, the Zoom import) queues `sync_calendly_no_show` for the
attendee; the command reads the attendee as it is *then* and brings Calendly in line: `POST
/invitee_no_shows` once when not attended (keeping the returned no-show URI), `DELETE` that
no-show when attended or pending again. Before creating, the invitee is read: a no-show already
there (a lost answer to our POST, or one set in Calendly) is adopted, never created twice.

Every no-show the service created is kept in `calendly_no_shows_sent`, so the
`invitee_no_show.*` webhook that reports it back is recognised and changes nothing
(`service/services/no_show_echo.py`); other no-show webhooks (set in Calendly) keep their URI
on the attendee, so undoing the mark here deletes Calendly's no-show too.
"""

from __future__ import annotations

from service.adapters import no_shows as repo
from service.adapters.calendly_client import CalendlyClient
from service.adapters.calendly_connection import connect_calendly
from service.adapters.calendly_errors import CalendlyError, CalendlyRateLimited, CalendlyUnavailable
from service.domain.failure_policy import Terminal
from service.domain.subjects import Subject, SubjectKind
from service.services.no_show_queue import SYNC_NO_SHOW
from service.services.unit_of_work import UnitOfWork
from service.workers.outbox import CommandTable, OutboxCommand, OutboxItem
from service.workers.runtime import WorkerRuntime


def _client(runtime: WorkerRuntime, attendee_id: int) -> CalendlyClient:
    cause = {"attendee_id": str(attendee_id), "reason": "no-show"}
    client = connect_calendly(runtime.settings, runtime.pool, cause)
    assert client is not None  # push_no_shows requires the token
    return client


async def sync_no_show(runtime: WorkerRuntime, item: OutboxItem) -> None:
    if not runtime.settings.push_no_shows:
        return
    attendee_id = Subject.parse(item.subject, SubjectKind.NO_SHOW).number
    async with runtime.pool.acquire() as conn:
        wish = await repo.load_wish(conn, attendee_id)
    if wish is None or wish.invitee_uri is None:
        return
    wants_no_show = wish.attended is False
    if wants_no_show == (wish.no_show_uri is not None):
        return
    async with _client(runtime, attendee_id) as calendly:
        try:
            if wants_no_show:
                await _create(runtime, calendly, attendee_id, wish.invitee_uri)
            else:
                assert wish.no_show_uri is not None
                await calendly.delete_no_show(wish.no_show_uri)
                async with runtime.pool.acquire() as conn, conn.transaction():
                    await repo.deleted(conn, attendee_id, wish.no_show_uri)
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
        await repo.sent(conn, attendee_id, uri)
    # Changed again meanwhile? A command queued by that change waits for this one, then undoes.


async def no_show_dead(unit: UnitOfWork, item: OutboxItem, error: Exception) -> None:
    await unit.notify(
        "sync_failed",
        f"Calendly no-show of attendee {Subject.parse(item.subject, SubjectKind.NO_SHOW).key} "
        f"could not be brought in line: {error}",
        subject=item.subject,
    )


def no_show_commands() -> CommandTable:
    return {SYNC_NO_SHOW: OutboxCommand(sync_no_show, no_show_dead, source="calendly")}
