"""One Server-to-Server OAuth token for all workers, cached in Redis and refreshed by one at a time.

Zoom's S2S tokens live one hour and have no refresh token. Fetching a token per worker (or per
call) wastes requests and, on older apps, invalidated each other's tokens (random code 124), so the
token lives in Redis at `{prefix}zoom:token` as JSON `{access_token, api_url, expires_at}`. A
worker that finds it missing or within `refresh_margin_s` of expiry takes the lock
`{prefix}zoom:token:lock` (SET NX PX, released only by its owner via Lua) and fetches a new one;
the others poll the cache until it appears.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from redis.asyncio import Redis

from service.adapters.vendor_calls import CallRecorder, NoRecorder, VendorCall
from service.adapters.zoom.errors import ZoomDeferred, ZoomRetryable, ZoomTerminal

_RELEASE_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# Drop the cached token only if it is still the one that Zoom rejected: a worker that saw a 401
# late must not throw away the fresh token another worker just fetched.
_INVALIDATE = """
local cached = redis.call('GET', KEYS[1])
if cached and cjson.decode(cached)['access_token'] == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


@dataclass(frozen=True)
class ZoomToken:
    """A bearer token and the regional API host Zoom issued it for."""

    access_token: str = field(repr=False)
    api_url: str | None
    expires_at: float  # epoch seconds


class TokenProvider:
    """Hands out the shared Zoom token, fetching a new one when needed (single-flight via Redis).

    Missing credentials raise `ZoomDeferred`: Zoom work waits (is not lost) until they are set.
    """

    def __init__(
        self,
        redis: Redis,
        key_prefix: str,
        *,
        token_url: str,
        account_id: str | None,
        client_id: str | None,
        client_secret: str | None,
        http: httpx.AsyncClient,
        recorder: CallRecorder | None = None,
        refresh_margin_s: float = 60,
        lock_ttl_s: float = 15,
        poll_interval_s: float = 0.05,
        credentials_retry_s: float = 300,
        clock: Callable[[], float] = time.time,
    ):
        self._redis = redis
        self._key = f"{key_prefix}zoom:token"
        self._lock_key = f"{key_prefix}zoom:token:lock"
        self._token_url = token_url
        self._account_id = account_id
        self._client_id = client_id
        self._client_secret = client_secret
        self._http = http
        self._recorder = recorder or NoRecorder()
        self._refresh_margin_s = refresh_margin_s
        self._lock_ttl_ms = int(lock_ttl_s * 1000)
        self._poll_interval_s = poll_interval_s
        self._credentials_retry_s = credentials_retry_s
        self._clock = clock
        self._release = redis.register_script(_RELEASE_LOCK)
        self._invalidate = redis.register_script(_INVALIDATE)

    async def get(self) -> ZoomToken:
        """A token valid for at least `refresh_margin_s` more seconds."""
        self._require_credentials()
        # Twice the lock's life: a holder that died lets its lock expire and a waiter take over.
        deadline = time.monotonic() + 2 * self._lock_ttl_ms / 1000
        while True:
            token = await self._read_fresh()
            if token is not None:
                return token
            owner = uuid.uuid4().hex
            if await self._redis.set(self._lock_key, owner, nx=True, px=self._lock_ttl_ms):
                try:
                    return await self._read_fresh() or await self._fetch_and_store()
                finally:
                    await self._release(keys=[self._lock_key], args=[owner])
            if time.monotonic() > deadline:
                raise ZoomRetryable("timed out waiting for another worker's Zoom token refresh")
            await asyncio.sleep(self._poll_interval_s)

    async def invalidate(self, bad_token: str) -> None:
        """Forget `bad_token` (Zoom answered 401 / code 124) unless it was already replaced."""
        await self._invalidate(keys=[self._key], args=[bad_token])

    def _require_credentials(self) -> None:
        if not (self._account_id and self._client_id and self._client_secret):
            until = datetime.now(UTC) + timedelta(seconds=self._credentials_retry_s)
            raise ZoomDeferred(
                until,
                "Zoom credentials are not configured "
                "(ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET)",
            )

    async def _read_fresh(self) -> ZoomToken | None:
        raw = await self._redis.get(self._key)
        if raw is None:
            return None
        data = json.loads(raw)
        token = ZoomToken(data["access_token"], data.get("api_url"), float(data["expires_at"]))
        if token.expires_at - self._refresh_margin_s <= self._clock():
            return None
        return token

    async def _fetch_and_store(self) -> ZoomToken:
        data = await self._request_token()
        now = self._clock()
        token = ZoomToken(
            access_token=data["access_token"],
            api_url=data.get("api_url"),
            expires_at=now + float(data.get("expires_in", 3600)),
        )
        value = json.dumps(
            {
                "access_token": token.access_token,
                "api_url": token.api_url,
                "expires_at": token.expires_at,
            }
        )
        ttl_ms = max(1, int((token.expires_at - now) * 1000))
        await self._redis.set(self._key, value, px=ttl_ms)
        return token

    async def _request_token(self) -> dict[str, Any]:
        """POST the account_credentials grant; classify failures like any other Zoom call."""
        started = time.perf_counter()
        try:
            response = await self._http.post(
                self._token_url,
                data={"grant_type": "account_credentials", "account_id": self._account_id or ""},
                auth=(self._client_id or "", self._client_secret or ""),
            )
        except httpx.TransportError as exc:
            await self._record(started, error=type(exc).__name__)
            raise ZoomRetryable(f"Zoom token request failed: {type(exc).__name__}") from exc
        data = _json_object(response)
        status = response.status_code
        error, reason = data.get("error"), data.get("reason")
        await self._record(started, status=status, code=error, message=reason)
        reason = str(reason or error or "no reason given")
        if status >= 500 or status == 429:
            raise ZoomRetryable(f"Zoom token request failed: {reason}", status=status)
        if not response.is_success or "access_token" not in data:
            raise ZoomTerminal(status, None, f"Zoom refused the OAuth credentials: {reason}")
        return data

    async def _record(
        self,
        started: float,
        *,
        status: int | None = None,
        code: object = None,
        message: object = None,
        error: str | None = None,
    ) -> None:
        """Report the token call like any other; the body (with the token) is never recorded."""
        await self._recorder.record(
            VendorCall(
                system="zoom",
                method="POST",
                path=urlsplit(self._token_url).path,
                status=status,
                duration_ms=(time.perf_counter() - started) * 1000,
                vendor_code=_text_or_none(code),
                vendor_message=_text_or_none(message),
                error=error,
                cause={"purpose": "oauth_token"},
            )
        )


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)
