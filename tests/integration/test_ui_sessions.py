"""Web UI sessions in Postgres: idle timeout, revocation, one-time links, and retention."""

from __future__ import annotations

import asyncpg

from service.adapters import ui_sessions
from service.adapters.api_tokens import create_token, revoke_token
from tests.integration.admin_support import unique


async def test_links_are_single_use_and_ended_sessions_are_pruned(pool: asyncpg.Pool) -> None:
    name = unique("sessions")
    async with pool.acquire() as conn:
        token = await create_token(conn, name, "ops")
        idle = await ui_sessions.open_with_token(conn, token)
        live = await ui_sessions.open_with_token(conn, token)
        assert idle and live and idle != live
        assert await ui_sessions.open_with_token(conn, token + "x") is None
        code = await ui_sessions.create_link(conn, name)
        linked = await ui_sessions.open_with_link(conn, code)
        assert linked is not None
        assert await ui_sessions.open_with_link(conn, code) is None  # used up
        expired = await ui_sessions.create_link(conn, name)
        await conn.execute(
            "UPDATE ui_login_links SET expires_at = now() - interval '1 second' "
            "WHERE code_hash = encode(sha256($1::bytea), 'hex')",
            expired.encode(),
        )
        assert await ui_sessions.open_with_link(conn, expired) is None
        await conn.execute(
            "UPDATE ui_sessions SET last_seen_at = now() - interval '9 hours' "
            "WHERE id_hash = encode(sha256($1::bytea), 'hex')",
            idle.encode(),
        )
        session = await ui_sessions.load(conn, live)
        assert session is not None and (session.name, session.role) == (name, "ops")
        assert await ui_sessions.load(conn, idle) is None
        assert await ui_sessions.prune(conn) >= 2  # the idle session and the expired link
        assert await ui_sessions.load(conn, live) is not None

        await revoke_token(conn, name)
        assert await ui_sessions.load(conn, live) is None
        assert await ui_sessions.load(conn, linked) is None
        await ui_sessions.prune(conn)
        left = await conn.fetchval(
            "SELECT count(*) FROM ui_sessions s JOIN api_tokens t ON t.id = s.token_id "
            "WHERE t.name = $1",
            name,
        )
        assert left == 0
