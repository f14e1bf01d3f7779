"""`webinar-sync`: one console script for every process and every ops command (CONTRACT §1)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

import asyncpg

from service.cli.attendance import add_parser as add_attendance_parser
from service.cli.ops_args import add_parsers as add_ops_parsers
from service.config import ConfigError, Settings, load_settings
from service.logs import configure_logging, get_logger


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="webinar-sync", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser(
        "up", help="everything on one machine (embedded Postgres/Redis if unset)"
    )
    up.add_argument(
        "--sandbox",
        action="store_true",
        help="allow the sandbox vendors with a DATABASE_URL / REDIS_URL you gave (refused "
        "otherwise: a sandbox worker would take that database's real Zoom work)",
    )
    api = commands.add_parser("api", help="the HTTP API (ingress, admin, ops)")
    api.add_argument(
        "--workers", type=int, default=1, help="API processes sharing the port (default 1)"
    )
    worker = commands.add_parser("worker", help="a Dramatiq worker process")
    worker.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    commands.add_parser("scheduler", help="periodic jobs (safe to run more than once)")
    commands.add_parser("migrate", help="apply sql/ migrations")

    token = commands.add_parser("token", help="API tokens").add_subparsers(
        dest="token_command", required=True, metavar="ACTION"
    )
    create = token.add_parser("create", help="print a new token once")
    create.add_argument("--role", required=True, choices=["admin", "ops"])
    create.add_argument("--name", required=True)
    token.add_parser("list", help="list tokens (never the tokens themselves)")
    revoke = token.add_parser("revoke", help="revoke a token by name")
    revoke.add_argument("name")

    sync = commands.add_parser("sync", help="run a sync job now, in this process")
    sync.add_argument("system", choices=["calendly"])
    sync_mode = sync.add_mutually_exclusive_group()
    sync_mode.add_argument("--since", metavar="ISO", help="events starting at/after this time")
    sync_mode.add_argument("--full", action="store_true", help="every event Calendly has")

    ui_link = commands.add_parser(
        "ui-link", help="create a token and print a one-time web UI sign-in URL (15 minutes)"
    )
    ui_link.add_argument("--role", required=True, choices=["admin", "ops"])
    ui_link.add_argument("--name", required=True)

    add_ops_parsers(commands)
    add_attendance_parser(commands)

    sandbox = commands.add_parser(
        "sandbox",
        help="sandbox vendors: `zoom|calendly --port N` serve one (as `up` does); "
        "`push-calendly|push-booking …` send signed webhooks to a running service; "
        "`hold-meeting …` holds a sandbox Zoom meeting with a realistic audience",
    )
    sandbox.add_argument(
        "tool", choices=["zoom", "calendly", "push-calendly", "push-booking", "hold-meeting"]
    )
    sandbox.add_argument("arguments", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        for problem in error.problems:
            print(f"configuration error: {problem}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(settings.log_level, settings.log_format)
    handler = _handlers()[args.command]
    try:
        code = handler(settings, args)
    except ConfigError as error:
        for problem in error.problems:
            print(f"configuration error: {problem}", file=sys.stderr)
        code = 2
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        # Postgres or Redis unreachable or refusing: one clear line, never the DSN.
        get_logger("webinar-sync").error(
            "cannot reach a backing service",
            command=args.command,
            error=f"{type(error).__name__}: {error}",
        )
        code = 1
    raise SystemExit(code)


def _handlers() -> dict[str, Callable[[Settings, argparse.Namespace], int]]:
    from service.cli import (  # noqa: PLC0415 - fast --help
        attendance,
        dlq,
        processes,
        reconcile,
        tokens,
        ui_link,
        up,
    )

    return {
        "up": up.run,
        "api": processes.run_api,
        "worker": processes.run_worker,
        "scheduler": processes.run_scheduler,
        "migrate": processes.run_migrate,
        "token": tokens.run,
        "ui-link": ui_link.run,
        "sandbox": processes.run_sandbox,
        "dlq": dlq.run,
        "reconcile": reconcile.run_reconcile,
        "calendly": reconcile.run_calendly,
        "sync": processes.run_sync,
        "attendance": attendance.run_attendance,
    }
