"""The arguments of the ops commands (`dlq`, `reconcile`, `calendly subscribe`).

Kept apart from the commands themselves, which import database and broker code, so
`webinar-sync --help` stays fast.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

LETTER_SOURCES = ("calendly", "booking", "zoom")
LETTER_QUEUES = ("inbox", "outbox")
LETTER_STATUSES = ("open", "replayed", "discarded", "any")
RECONCILE_TARGETS = ("calendly", "zoom", "all")


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _dlq(commands)
    reconcile = commands.add_parser("reconcile", help="run the nightly reconciliation now")
    reconcile.add_argument("target", nargs="?", choices=RECONCILE_TARGETS, default="all")
    calendly = commands.add_parser("calendly", help="Calendly webhook subscription")
    actions = calendly.add_subparsers(dest="calendly_command", required=True, metavar="ACTION")
    actions.add_parser(
        "subscribe", help="create or repair the subscription for PUBLIC_BASE_URL/webhooks/calendly"
    )


def _dlq(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dlq = commands.add_parser("dlq", help="dead letters: list, show, replay, discard")
    actions = dlq.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="dead letters, newest first")
    _filters(listing)
    listing.add_argument("--status", choices=LETTER_STATUSES, default="open", help="default open")
    listing.add_argument("--limit", type=int, default=50)

    show = actions.add_parser("show", help="one letter with its payload, attempts and actions")
    show.add_argument("id", type=int)

    replay = actions.add_parser("replay", help="run a letter's item again (ID, or --all)")
    replay.add_argument("id", type=int, nargs="?")
    replay.add_argument("--all", action="store_true", help="every open letter the filters match")
    _filters(replay)
    replay.add_argument("--dry-run", action="store_true", help="say what would happen")

    discard = actions.add_parser("discard", help="close a letter without running it again")
    discard.add_argument("id", type=int)
    discard.add_argument("--reason", required=True)


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source", choices=LETTER_SOURCES, help="the system it came from / was for"
    )
    parser.add_argument("--queue", choices=LETTER_QUEUES, help="received events or Zoom commands")
    parser.add_argument("--type", help="event type or outbox command")
    parser.add_argument("--error", help="error class, or part of the error message")
    parser.add_argument("--since", type=_moment, help="ISO-8601; letters created since")


def _moment(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
