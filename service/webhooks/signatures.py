"""The three signature schemes we accept, checked on raw bytes in constant time.

Each returns True or False only: the caller answers 401 without saying which part
failed, so a probe learns nothing about keys or clocks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable

from service.domain.numbers import ascii_int

CALENDLY_TOLERANCE_S = 180
STANDARD_WEBHOOKS_TOLERANCE_S = 300


def _hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def verify_calendly(header: str | None, body: bytes, keys: Iterable[str], now: float) -> bool:
    """`Calendly-Webhook-Signature: t=<unix s>,v1=<hex HMAC-SHA256(key, t + "." + body)>`."""
    if not header:
        return False
    fields: dict[str, str] = {}
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            return False
        fields[name] = value
    timestamp, signature = fields.get("t", ""), fields.get("v1", "")
    seconds = ascii_int(timestamp)
    if seconds is None or len(signature) != 64:
        return False
    try:
        given = bytes.fromhex(signature)
    except ValueError:
        return False
    if abs(now - seconds) > CALENDLY_TOLERANCE_S:
        return False
    message = timestamp.encode() + b"." + body
    return _any_matches((_hmac_sha256(k.encode(), message) for k in keys), given)


def verify_standard_webhook(
    webhook_id: str | None,
    timestamp: str | None,
    signature_header: str | None,
    body: bytes,
    *,
    secrets: Iterable[str],
    now: float,
) -> bool:
    """Standard Webhooks: `v1,<base64 HMAC-SHA256(key, id.timestamp.body)>`, space-separated."""
    seconds = ascii_int(timestamp)
    if not webhook_id or not signature_header or seconds is None:
        return False
    if abs(now - seconds) > STANDARD_WEBHOOKS_TOLERANCE_S:
        return False
    given: list[bytes] = []
    for candidate in signature_header.split():
        version, _, encoded = candidate.partition(",")
        if version != "v1":
            continue
        try:
            given.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            continue
    message = f"{webhook_id}.{timestamp}.".encode() + body
    expected = [_hmac_sha256(_whsec_key(s), message) for s in secrets]
    return any(_any_matches(expected, g) for g in given)


def verify_zoom(
    timestamp: str | None, signature: str | None, body: bytes, secret: str | None
) -> bool:
    """`x-zm-signature: v0=<hex HMAC-SHA256(secret, "v0:{timestamp}:{body}")>`."""
    if not secret or not timestamp or not signature or not signature.startswith("v0="):
        return False
    try:
        given = bytes.fromhex(signature[3:])
    except ValueError:
        return False
    expected = _hmac_sha256(secret.encode(), f"v0:{timestamp}:".encode() + body)
    return hmac.compare_digest(expected, given)


def zoom_challenge_response(plain_token: str, secret: str) -> str:
    """Zoom's endpoint.url_validation: hex HMAC-SHA256(secret, plainToken)."""
    return hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()


def _whsec_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def _any_matches(expected: Iterable[bytes], given: bytes) -> bool:
    # Compare against every key, never stopping early: timing reveals nothing.
    matched = False
    for candidate in expected:
        matched |= hmac.compare_digest(candidate, given)
    return matched
