"""Web UI sessions and one-time sign-in links, kept in Postgres (CONTRACT §6 "Sign-in").

Session ids and link codes are 256 random bits shown once (cookie, URL); only their
SHA-256 hashes are stored. A session is live while its API token is not revoked and it
was used within the idle timeout; each use moves `last_seen_at` (at most once a minute).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from service.adapters.api_tokens import hash_token
from service.adapters.postgres import Connection

IDLE_TIMEOUT_HOURS = 8
LINK_VALID_MINUTES = 15


@dataclass(frozen=True)
class UiSession:
    name: str
    role: str
    csrf_token: str


async def open_with_token(conn: Connection, api_token: str) -> str | None:
    """A new session id for a live API token, else None."""
    token_id = await conn.fetchval(
        "SELECT id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        hash_token(api_token),
    )
    return None if token_id is None else await _open(conn, token_id)


async def open_with_link(conn: Connection, code: str) -> str | None:
    """A new session for an unused, unexpired link code; the code is used up either way."""
    token_id = await conn.fetchval(
        """
        UPDATE ui_login_links l SET used_at = now()
          FROM api_tokens t
         WHERE l.code_hash = $1 AND l.used_at IS NULL AND l.expires_at > now()
           AND t.id = l.token_id AND t.revoked_at IS NULL
        RETURNING l.token_id
        """,
        hash_token(code),
    )
    return None if token_id is None else await _open(conn, token_id)


async def _open(conn: Connection, token_id: int) -> str:
    session_id = secrets.token_urlsafe(32)
    await conn.execute(
        "INSERT INTO ui_sessions (id_hash, token_id, csrf_token) VALUES ($1, $2, $3)",
        hash_token(session_id),
        token_id,
        secrets.token_urlsafe(32),
    )
    return session_id


async def load(conn: Connection, session_id: str) -> UiSession | None:
    row = await conn.fetchrow(
        """
        SELECT t.name, t.role, s.csrf_token,
               s.last_seen_at < now() - interval '1 minute' AS stale
          FROM ui_sessions s JOIN api_tokens t ON t.id = s.token_id
         WHERE s.id_hash = $1 AND t.revoked_at IS NULL
           AND s.last_seen_at > now() - make_interval(hours => $2)
        """,
        hash_token(session_id),
        IDLE_TIMEOUT_HOURS,
    )
    if row is None:
        return None
    if row["stale"]:
        await conn.execute(
            "UPDATE ui_sessions SET last_seen_at = now() WHERE id_hash = $1",
            hash_token(session_id),
        )
    return UiSession(row["name"], row["role"], row["csrf_token"])


async def close(conn: Connection, session_id: str) -> None:
    await conn.execute("DELETE FROM ui_sessions WHERE id_hash = $1", hash_token(session_id))


async def create_link(conn: Connection, token_name: str) -> str:
    """A one-time sign-in code for the named token (single use, valid 15 minutes)."""
    code = secrets.token_urlsafe(32)
    await conn.execute(
        """
        INSERT INTO ui_login_links (code_hash, token_id, expires_at)
        SELECT $1, id, now() + make_interval(mins => $3) FROM api_tokens WHERE name = $2
        """,
        hash_token(code),
        token_name,
        LINK_VALID_MINUTES,
    )
    return code


async def prune(conn: Connection) -> int:
    """Delete sessions that can no longer be used (idle too long, token revoked) and sign-in
    links past their time; returns how many rows went."""
    sessions = await conn.execute(
        """
        DELETE FROM ui_sessions s
         WHERE s.last_seen_at < now() - make_interval(hours => $1)
            OR EXISTS (SELECT 1 FROM api_tokens t
                        WHERE t.id = s.token_id AND t.revoked_at IS NOT NULL)
        """,
        IDLE_TIMEOUT_HOURS,
    )
    links = await conn.execute("DELETE FROM ui_login_links WHERE expires_at < now()")
    return int(sessions.split()[-1]) + int(links.split()[-1])
