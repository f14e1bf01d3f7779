"""`webinar-sync reconcile [calendly|zoom|all]` and `webinar-sync calendly subscribe`.

Run in this process, now, with the worker's runtime (Zoom client, courier): the repairs
it decides are outbox commands that running workers execute. Prints each run as JSON;
exit 1 when a run failed (its error says which setting or vendor answer to look at).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from service.adapters.broker import Courier, create_broker
from service.adapters.calendly_errors import CalendlyError
from service.config import Settings
from service.services.reconcile_runs import ReconcileNotPossible
from service.workers.reconcile import reconcile, watch_subscription
from service.workers.runtime import LazyRuntime


def run_reconcile(settings: Settings, args: argparse.Namespace) -> int:
    results = _with_runtime(settings, lambda rt: reconcile(rt, args.target))
    _print(results)
    return 1 if any(r.get("status") == "failed" for r in results) else 0


def run_calendly(settings: Settings, _args: argparse.Namespace) -> int:
    """`calendly subscribe`: create or repair the subscription; after a repair, backfill."""
    try:
        result = _with_runtime(settings, watch_subscription)
    except (ReconcileNotPossible, CalendlyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    _print(result)
    return 1 if result.get("backfill", {}).get("status") == "failed" else 0


def _with_runtime(settings: Settings, work: Any) -> Any:
    _, redis_url = settings.require_services()
    broker = create_broker(redis_url, settings.redis_key_prefix)

    async def main() -> Any:
        lazy = LazyRuntime(settings, Courier(broker))
        try:
            return await work(await lazy.get())
        finally:
            await lazy.close()

    try:
        return asyncio.run(main())
    finally:
        broker.close()


def _print(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))
