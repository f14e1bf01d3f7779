"""The `reconcile_course` outbox command a Zoom webhook queues: reconcile that course with Zoom,
as its own run (`service/services/reconcile_zoom.py`); failures are classified by the outbox."""

from __future__ import annotations

from service.domain.reconcile import Drift, RunKind
from service.domain.subjects import Subject, SubjectKind
from service.services.course_decisions import course_subject
from service.services.reconcile_runs import recorded
from service.services.reconcile_zoom import reconcile_course
from service.services.unit_of_work import UnitOfWork
from service.services.zoom_drift import RECONCILE_COURSE
from service.workers.outbox import CommandTable, OutboxCommand, OutboxItem
from service.workers.runtime import WorkerRuntime


async def reconcile_course_command(runtime: WorkerRuntime, item: OutboxItem) -> None:
    """The outbox command a Zoom webhook queues: reconcile that course, as its own run."""
    course_id = Subject.parse(item.subject, SubjectKind.COURSE).key
    zoom = runtime.zoom
    if zoom is None:
        return  # nothing to compare with; the nightly run reports the missing credentials

    async def work(run_id: int, drift: Drift) -> None:
        await reconcile_course(runtime, zoom, course_id, drift, {**item.cause})

    await recorded(runtime.pool, RunKind.ZOOM, course_subject(course_id), work, reraise=True)


async def reconcile_course_dead(unit: UnitOfWork, item: OutboxItem, error: Exception) -> None:
    await unit.notify(
        "sync_failed",
        f"Reconciling {item.subject} with Zoom failed: {error}",
        subject=item.subject,
    )


def reconcile_commands() -> CommandTable:
    return {RECONCILE_COURSE: OutboxCommand(reconcile_course_command, reconcile_course_dead)}
