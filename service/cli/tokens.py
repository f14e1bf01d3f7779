"""`webinar-sync token create | list | revoke`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from service.adapters import api_tokens
from service.adapters.postgres import connect
from service.config import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    database_url, _ = settings.require_services()
    return asyncio.run(_run(database_url, args))


async def _run(database_url: str, args: argparse.Namespace) -> int:
    conn = await connect(database_url)
    try:
        if args.token_command == "create":  # noqa: S105
            try:
                token = await api_tokens.create_token(conn, args.name, args.role)
            except api_tokens.TokenNameTaken as error:
                print(f"error: {error}", file=sys.stderr)
                return 1
            print(token)
            print(
                f"token {args.name!r} ({args.role}) created; it is shown only now", file=sys.stderr
            )
            return 0
        if args.token_command == "list":  # noqa: S105
            for info in await api_tokens.list_tokens(conn):
                state = f"revoked {info.revoked_at:%Y-%m-%d}" if info.revoked_at else "active"
                used = f"{info.last_used_at:%Y-%m-%d %H:%M}" if info.last_used_at else "never"
                print(f"{info.name}\t{info.role}\t{state}\tlast used {used}")
            return 0
        if await api_tokens.revoke_token(conn, args.name):
            print(f"token {args.name!r} revoked")
            return 0
        print(f"error: no active token named {args.name!r}", file=sys.stderr)
        return 1
    finally:
        await conn.close()
