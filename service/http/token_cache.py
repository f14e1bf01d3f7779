"""Bearer tokens checked against an in-process copy of the live token hashes.

A request with an unknown token must not cost a query each (anyone can send one), so the
API keeps the hashes of all live tokens (a small table) and:

- reloads them when the copy is older than MAX_AGE_S: a revoked token stops working
  within that many seconds;
- on an unknown token, waits for a reload that started after the request arrived, at most
  one per MISS_SPACING_S, shared by every request waiting: a token created a moment ago
  works at once, while any number of bad tokens cost the database at most 1 / MISS_SPACING_S
  queries a second per API process.
"""

from __future__ import annotations

import asyncio
import time

import asyncpg

from service.adapters.api_tokens import LiveToken, hash_token, live_tokens, note_use

MAX_AGE_S = 5.0
MISS_SPACING_S = 0.25
NOTE_USE_EVERY_S = 60.0


class TokenCache:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._live: dict[str, LiveToken] = {}
        self._loaded_at = float("-inf")  # when the reload that produced `_live` started
        self._noted: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def identify(self, token: str) -> tuple[str, str] | None:
        """(name, role) of a live token, else None."""
        digest = hash_token(token)
        if time.monotonic() - self._loaded_at > MAX_AGE_S:
            await self._reload_after(time.monotonic(), spacing=0.0)
        found = self._live.get(digest)
        if found is None:
            await self._reload_after(time.monotonic(), spacing=MISS_SPACING_S)
            found = self._live.get(digest)
        if found is None:
            return None
        await self._note_use(found)
        return found.name, found.role

    async def _reload_after(self, moment: float, *, spacing: float) -> None:
        async with self._lock:
            if self._loaded_at >= moment:
                return  # a reload that started after `moment` has seen what it needs
            wait = self._loaded_at + spacing - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            started = time.monotonic()
            async with self._pool.acquire() as conn:
                tokens = await live_tokens(conn)
            self._live = {t.token_hash: t for t in tokens}
            self._loaded_at = started

    async def _note_use(self, token: LiveToken) -> None:
        """`last_used_at` for `token list`, written at most once a minute per token."""
        now = time.monotonic()
        if now - self._noted.get(token.id, float("-inf")) < NOTE_USE_EVERY_S:
            return
        self._noted[token.id] = now
        async with self._pool.acquire() as conn:
            await note_use(conn, token.id)
