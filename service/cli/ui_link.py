"""`webinar-sync ui-link --role admin|ops --name NAME`: a token and a one-time sign-in URL."""

from __future__ import annotations

import argparse
import asyncio
import sys

from service.adapters import api_tokens, ui_sessions
from service.adapters.postgres import connect
from service.config import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    database_url, _ = settings.require_services()
    try:
        url = asyncio.run(create_link(database_url, settings.public_base_url, args.name, args.role))
    except api_tokens.TokenNameTaken as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(url)
    print(
        f"token {args.name!r} ({args.role}) created; the link signs in once, "
        f"within {ui_sessions.LINK_VALID_MINUTES} minutes",
        file=sys.stderr,
    )
    return 0


async def create_link(database_url: str, base_url: str, name: str, role: str) -> str:
    """Creates the API token `name` and a one-time link that opens a session with it."""
    conn = await connect(database_url)
    try:
        async with conn.transaction():
            await api_tokens.create_token(conn, name, role)
            code = await ui_sessions.create_link(conn, name)
    finally:
        await conn.close()
    return f"{base_url.rstrip('/')}/ui/login?once={code}"
