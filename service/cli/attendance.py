"""`webinar-sync attendance import --meeting ID [--since ISO]`: import a meeting's attendance now.

Lists the meeting's past instances in Zoom (the last 30 days, or since `--since`) and queues
the import of each one not imported yet; running workers do the imports. Prints what was queued.
Without `--meeting` it is the nightly sweep, now: every meeting of ours.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from service.config import Settings
from service.domain.zoom_attendance import parse_instant


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    attendance = commands.add_parser("attendance", help="attendance from Zoom").add_subparsers(
        dest="attendance_command", required=True, metavar="ACTION"
    )
    run = attendance.add_parser("import", help="import a meeting's ended instances now")
    run.add_argument("--meeting", type=int, metavar="ID", help="Zoom meeting id (default: all)")
    run.add_argument("--since", metavar="ISO", help="instances started at/after this time")


def run_attendance(settings: Settings, args: argparse.Namespace) -> int:
    from service.cli.job_runtime import CliRuntime, print_json, with_runtime  # noqa: PLC0415
    from service.services.attendance_sweep import sweep_attendance  # noqa: PLC0415

    since: datetime | None = None
    if args.since is not None:
        since = parse_instant(args.since)
        if since is None:
            print(f"error: --since {args.since!r} is not an ISO 8601 time", file=sys.stderr)
            return 2

    async def work(rt: CliRuntime) -> dict[str, Any] | None:
        if rt.zoom is None:
            return None
        meetings = None if args.meeting is None else [args.meeting]
        return await sweep_attendance(rt, rt.zoom, meetings, since)

    result = with_runtime(settings, work)
    if result is None:
        print(
            "error: Zoom credentials are not configured "
            "(ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET)",
            file=sys.stderr,
        )
        return 1
    print_json(result)
    # A meeting asked for by id that Zoom does not list is an error; in a sweep it is normal.
    return 1 if args.meeting is not None and result["skipped"] else 0
