"""`webinar-sync dlq list | show ID | replay ID | replay --all [filters] [--dry-run] | discard ID`.

The same operations as `/api/v1/ops/dead-letters` (service.adapters.dead_letters), for
an operator on a shell. Actions are audited with the actor `cli`. Exit codes: 0 done,
1 not found or already resolved (nothing changed), 2 usage.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from service.adapters import dead_letters
from service.adapters.broker import Courier, create_broker
from service.adapters.dead_letters import AlreadyResolved, Filter, NotFound
from service.adapters.postgres import connect
from service.config import Settings
from service.http.serialize import jsonable
from service.services import dead_letter_actions

ACTOR = "cli"


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.dlq_command == "replay" and (args.id is None) == (not args.all):
        print("error: give either a letter ID or --all", file=sys.stderr)
        return 2
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    database_url, redis_url = settings.require_services()
    conn = await connect(database_url)
    try:
        if args.dlq_command == "list":
            where = _filter(args, None if args.status == "any" else args.status)
            for letter in await dead_letters.list_letters(
                conn, where, before_id=None, limit=args.limit
            ):
                print(
                    f"{letter['id']}\t{letter['created_at']:%Y-%m-%d %H:%M}\t{letter['status']}\t"
                    f"{letter['source']}\t{letter['queue']}:{letter['ref_id']}\t{letter['type']}\t"
                    f"{letter['error']['class']}: {letter['error']['message'][:120]}"
                )
            return 0
        if args.dlq_command == "show":
            _print(await dead_letters.get_letter(conn, args.id))
            return 0
        if args.dlq_command == "discard":
            _print(await dead_letters.discard(conn, args.id, ACTOR, args.reason))
            return 0
        if args.all:
            where = _filter(args, "open")
            outcomes, resent = await dead_letters.replay_matching(
                conn, where, ACTOR, dry_run=args.dry_run
            )
            _print(dead_letter_actions.summary(outcomes, dry_run=args.dry_run))
        else:
            outcome, resent = await dead_letters.replay(conn, args.id, ACTOR, dry_run=args.dry_run)
            _print({"dry_run": args.dry_run, **outcome.as_json()})
    except (NotFound, AlreadyResolved) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        await conn.close()
    broker = create_broker(redis_url, settings.redis_key_prefix)
    try:
        courier = Courier(broker)
        await courier.send_inbox(resent.inbox)
        await courier.send_outbox(resent.outbox)
    finally:
        broker.close()
    return 0


def _print(value: object) -> None:
    print(json.dumps(jsonable(value), indent=2, ensure_ascii=False))


def _filter(args: argparse.Namespace, status: str | None) -> Filter:
    return Filter(status, args.source, args.type, args.error, args.since, args.queue)
