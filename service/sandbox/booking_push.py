"""Send booking-system events, signed the Standard Webhooks way, to a running service.

    webinar-sync sandbox push-booking docs/examples/course-upserted.json
    webinar-sync sandbox push-booking --url http://127.0.0.1:8000/webhooks/booking - < event.json

The file holds one event (`{"type", "timestamp", "data"}`) or a list of them; each gets a
fresh `webhook-id`. The secret comes from --secret, else BOOKING_WEBHOOK_SECRETS, else
the secrets `webinar-sync up` generated in .data/dev-secrets.json.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from service.sandbox.dev_secrets import first_secret


def standard_webhook_headers(
    body: bytes, secret: str, webhook_id: str | None = None, timestamp: int | None = None
) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`."""
    webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{webhook_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": stamp,
        "webhook-signature": f"v1,{base64.b64encode(digest).decode()}",
        "content-type": "application/json",
    }


def _parser() -> argparse.ArgumentParser:
    port = os.environ.get("PORT", "8000")
    parser = argparse.ArgumentParser(prog="webinar-sync sandbox push-booking", description=__doc__)
    parser.add_argument("file", help="JSON file with one event or a list of events; - for stdin")
    parser.add_argument("--url", default=f"http://127.0.0.1:{port}/webhooks/booking")
    parser.add_argument("--secret", help="whsec_… (default: see above)")
    return parser


def _events(source: str) -> list[Any]:
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    document = json.loads(text)
    return document if isinstance(document, list) else [document]


def main(argv: list[str]) -> int:
    """Exit 0 when every event got a 2xx, 1 otherwise, 2 on usage errors."""
    args = _parser().parse_args(argv)
    secret = args.secret or first_secret("BOOKING_WEBHOOK_SECRETS")
    if secret is None:
        print("no secret: pass --secret or set BOOKING_WEBHOOK_SECRETS", file=sys.stderr)
        return 2
    all_ok = True
    with httpx.Client(timeout=15) as http:
        for event in _events(args.file):
            body = json.dumps(event).encode()
            response = http.post(
                args.url, content=body, headers=standard_webhook_headers(body, secret)
            )
            all_ok = all_ok and response.is_success
            print(f"{event.get('type')} -> {response.status_code} {response.text}")
    return 0 if all_ok else 1
