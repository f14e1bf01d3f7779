"""What the meeting and registrant commands share: the client (or a deferral), refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.adapters.courses.errors import Errors
from service.adapters.zoom import (
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
