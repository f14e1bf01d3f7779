"""API tokens: shown once at creation, stored only as a SHA-256 hash.

Tokens are 256 random bits, so a plain hash is enough (nothing to brute-force) and the
lookup by hash is an index probe that reveals nothing about other tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from service.adapters.postgres import Connection

ROLES = ("admin", "ops")
TOKEN_PREFIX = "wst_"  # noqa: S105 - a prefix, not a secret


@dataclass(frozen=True)
class TokenInfo:
    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenNameTaken(Exception):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(conn: Connection, name: str, role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        await conn.execute(
            "INSERT INTO api_tokens (name, role, token_hash) VALUES ($1, $2, $3)",
            name,
            role,
            hash_token(token),
        )
    except asyncpg.UniqueViolationError as error:
        raise TokenNameTaken(f"a token named {name!r} exists already") from error
    return token


async def list_tokens(conn: Connection) -> list[TokenInfo]:
    rows = await conn.fetch(
        "SELECT name, role, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY name"
    )
    return [TokenInfo(**dict(row)) for row in rows]


async def revoke_token(conn: Connection, name: str) -> bool:
    status = await conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL", name
    )
    return bool(status.endswith(" 1"))


@dataclass(frozen=True)
class LiveToken:
    id: int
    name: str
    role: str
    token_hash: str


async def live_tokens(conn: Connection) -> list[LiveToken]:
    """Every token not revoked (a handful of rows; the API keeps a copy, see token_cache)."""
    rows = await conn.fetch(
        "SELECT id, name, role, token_hash FROM api_tokens WHERE revoked_at IS NULL"
    )
    return [LiveToken(r["id"], r["name"], r["role"], r["token_hash"]) for r in rows]


async def note_use(conn: Connection, token_id: int) -> None:
    await conn.execute(
        """
        UPDATE api_tokens SET last_used_at = now()
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
        """,
        token_id,
    )
