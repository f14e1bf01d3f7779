"""The production processes, one per command: api, worker, scheduler, migrate, sandbox."""

from __future__ import annotations

import argparse
import asyncio
import signal
import threading

from service.config import Settings
from service.logs import get_logger

log = get_logger(__name__)


def run_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from service.adapters.migrations import MigrationError, migrate  # noqa: PLC0415

    database_url, _ = settings.require_services()
    try:
        applied = asyncio.run(migrate(database_url))
    except MigrationError as error:
        log.error("migration failed", error=str(error))
        return 1
    log.info("migrations applied" if applied else "migrations current", applied=applied)
    return 0


def run_api(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415

    settings.require_services()
    uvicorn.run(
        "service.app:create_app_from_environment",
        factory=True,
        workers=args.workers,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )
    return 0


def run_worker(settings: Settings, args: argparse.Namespace) -> int:
    import dramatiq  # noqa: PLC0415

    from service.adapters.broker import Courier, create_broker  # noqa: PLC0415
    from service.workers.actors import declare_actors  # noqa: PLC0415
    from service.workers.runtime import LazyRuntime  # noqa: PLC0415

    _, redis_url = settings.require_services()
    broker = create_broker(redis_url, settings.redis_key_prefix)
    dramatiq.set_broker(broker)
    runtime = LazyRuntime(settings, Courier(broker))
    declare_actors(broker, runtime)
    worker = dramatiq.Worker(broker, worker_threads=args.threads, worker_timeout=1000)
    stop = _stop_event()
    worker.start()
    log.info("worker started", threads=args.threads)
    stop.wait()
    log.info("worker stopping")
    worker.stop(timeout=10_000)
    broker.close()
    return 0


def run_scheduler(settings: Settings, _args: argparse.Namespace) -> int:
    from service.adapters.broker import Courier, create_broker  # noqa: PLC0415
    from service.workers.runtime import LazyRuntime  # noqa: PLC0415
    from service.workers.schedule import scheduled_jobs  # noqa: PLC0415
    from service.workers.scheduler import run_scheduler as loop  # noqa: PLC0415

    _, redis_url = settings.require_services()
    broker = create_broker(redis_url, settings.redis_key_prefix)

    async def main() -> None:
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        lazy = LazyRuntime(settings, Courier(broker))
        try:
            await loop(await lazy.get(), scheduled_jobs(), stop)
        finally:
            await lazy.close()

    asyncio.run(main())
    broker.close()
    return 0


def run_sync(settings: Settings, args: argparse.Namespace) -> int:
    """`sync calendly [--since ISO | --full]`: the job an admin can start, run here and now."""
    from service.cli.sync import run_calendly_sync  # noqa: PLC0415

    return run_calendly_sync(settings, since=args.since, full=args.full)


def run_sandbox(_settings: Settings, args: argparse.Namespace) -> int:
    from service.sandbox import (  # noqa: PLC0415
        booking_push,
        calendly,
        calendly_push,
        hold_meeting,
        zoom,
    )
    from service.sandbox.serve import run_forever  # noqa: PLC0415

    if args.tool == "push-calendly":
        return calendly_push.main(args.arguments)
    if args.tool == "push-booking":
        return booking_push.main(args.arguments)
    if args.tool == "hold-meeting":
        return hold_meeting.main(args.arguments)
    port = argparse.ArgumentParser(prog=f"webinar-sync sandbox {args.tool}")
    port.add_argument("--port", type=int, required=True)
    chosen = port.parse_args(args.arguments).port
    app = zoom.create_app() if args.tool == "zoom" else calendly.create_app()
    run_forever(app, "127.0.0.1", chosen)
    return 0


def _stop_event() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop
