"""The nightly attendance sweep (`service/services/attendance_sweep.py`), as a scheduled job."""

from __future__ import annotations

from service.services.attendance_sweep import sweep_attendance
from service.workers.runtime import WorkerRuntime
from service.workers.zoom_commands.common import zoom_client


async def nightly_attendance_sweep(runtime: WorkerRuntime) -> str:
    result = await sweep_attendance(runtime, zoom_client(runtime))
    return f"{result['meetings']} meetings, {len(result['queued'])} instances queued"
