"""A tiny webhook receiver served over real HTTP, and the signature check from facts §2.

The check is written independently of `calendly_push.signature_header`, so a signing bug
cannot hide by being verified with itself.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.sandbox.serve import serving


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records every POST to /hook and answers `status` (tests change it to simulate outages)."""

    status: int = 202
    received: list[Received] = field(default_factory=list)

    def app(self) -> Starlette:
        async def hook(request: Request) -> JSONResponse:
            self.received.append(Received(dict(request.headers), await request.body()))
            return JSONResponse({"status": "accepted"}, status_code=self.status)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


@contextmanager
def receiving() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()
    with serving(receiver.app()) as base_url:
        yield receiver, f"{base_url}/hook"


def verify(raw: bytes, header: str, key: str, tolerance_s: int = 180) -> bool:
    parts: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        parts.setdefault(name, []).append(value)
    timestamp = (parts.get("t") or [""])[0]
    signatures = parts.get("v1") or []
    if not timestamp.isdigit() or not signatures:
        return False
    if abs(int(time.time()) - int(timestamp)) > tolerance_s:
        return False
    expected = hmac.new(key.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, signature) for signature in signatures)
