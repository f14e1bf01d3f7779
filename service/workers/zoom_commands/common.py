"""What the meeting and registrant commands share: the client (or a deferral), refusals, and
giving a registrant claim back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import asyncpg

from service.adapters.courses.errors import Errors
from service.adapters.postgres import Connection
from service.adapters.zoom import (
    ZoomAmbiguous,
    ZoomClient,
    ZoomDeferred,
    ZoomError,
)
from service.services.unit_of_work import UnitOfWork
from service.workers.outbox import OutboxItem
from service.workers.runtime import WorkerRuntime

CREDENTIALS_RETRY = timedelta(minutes=5)


def zoom_client(runtime: WorkerRuntime) -> ZoomClient:
    """The client, or a deferral: with no credentials Zoom work waits, nothing is lost."""
    if runtime.zoom is None:
        raise ZoomDeferred(
            datetime.now(UTC) + CREDENTIALS_RETRY,
            "Zoom credentials are not configured (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, "
            "ZOOM_CLIENT_SECRET); Zoom work waits until they are",
        )
    return runtime.zoom


async def notify_refusal(unit: UnitOfWork, item: OutboxItem, what: str, errors: Errors) -> None:
    await unit.notify(
        "sync_failed",
        f"{what}: {errors[0]['message']}",
        subject=item.subject,
        details={"errors": errors, "command": item.command},
    )


def zoom_errors(error: Exception, what: str) -> Errors:
    """Zoom's own code and message, so a person can look them up."""
    if isinstance(error, ZoomError):
        code = f"zoom_{error.code}" if error.code is not None else f"zoom_http_{error.status}"
        return [{"code": code, "message": f"{what}: {error}"}]
    return [{"code": "sync_failed", "message": f"{what}: {error}"}]


@asynccontextmanager
async def released_unless_ambiguous(
    pool: asyncpg.Pool, release: Callable[[Connection], Awaitable[None]]
) -> AsyncIterator[None]:
    """Zoom calls on a claimed (in-flight) registrant: when Zoom refused or limited one, nothing
    was applied and the claim is given back; after a lost answer it stays in flight, to be looked
    up (docs/architecture.md: "Zoom calls are not blindly repeated")."""
    try:
        yield
    except ZoomError as error:
        if not isinstance(error, ZoomAmbiguous):
            async with pool.acquire() as conn:
                await release(conn)
        raise
