"""`webinar-sync reconcile [calendly|zoom|all]` and `webinar-sync calendly subscribe`.

Run in this process, now, with a runtime of its own (Zoom client, courier): the repairs
it decides are outbox commands that running workers execute. Prints each run as JSON;
exit 1 when a run failed (its error says which setting or vendor answer to look at).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from service.adapters.calendly_errors import CalendlyError
from service.cli.job_runtime import CliRuntime, print_json, with_runtime
from service.config import Settings
from service.services.reconcile import reconcile, watch_subscription
from service.services.reconcile_runs import ReconcileNotPossible


def run_reconcile(settings: Settings, args: argparse.Namespace) -> int:
    async def work(rt: CliRuntime) -> list[dict[str, Any]]:
        return await reconcile(rt, args.target)

    results = with_runtime(settings, work)
    print_json(results)
    return 1 if any(r.get("status") == "failed" for r in results) else 0


def run_calendly(settings: Settings, _args: argparse.Namespace) -> int:
    """`calendly subscribe`: create or repair the subscription; after a repair, backfill."""
    try:
        result = with_runtime(settings, watch_subscription)
    except (ReconcileNotPossible, CalendlyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print_json(result)
    return 1 if result.get("backfill", {}).get("status") == "failed" else 0
