"""Push realistic, signed Calendly webhooks straight at a running service.

Also the one place that signs deliveries (`build_delivery`), shared by the sandbox's deliverer
and by tests, so everything that talks to `POST /webhooks/calendly` signs the same way:
header `Calendly-Webhook-Signature: t=<unix s>,v1=<hex HMAC-SHA256(key, "t." + body)>` (§2).

    python -m service.sandbox.calendly_push --url http://127.0.0.1:8000/webhooks/calendly \
        --event invitee.created --count 5 --group 5      # key from CALENDLY_WEBHOOK_SIGNING_KEYS
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from service.sandbox.calendly_locations import LOCATION_TYPES, build_location
from service.sandbox.calendly_payloads import Uris, render_invitee, webhook_envelope
from service.sandbox.calendly_state import CalendlyState, Cancellation, Invitee, new_uuid
from service.sandbox.dev_secrets import first_secret

SIGNATURE_HEADER = "Calendly-Webhook-Signature"
DEFAULT_CREATOR_URI = "https://api.calendly.com/users/AAAAAAAAAAAAAAAA"
PUSHABLE_EVENTS = (
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
)


def signature_header(body: bytes, signing_key: str, timestamp: int) -> str:
    digest = hmac.new(
        signing_key.encode("utf-8"), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def build_delivery(
    event_type: str,
    payload: dict[str, Any],
    signing_key: str | None,
    now: datetime,
    *,
    created_by: str = DEFAULT_CREATOR_URI,
    created_at: datetime | None = None,
) -> tuple[dict[str, str], bytes]:
    """Headers and exact body bytes of one delivery, signed at `now`.

    `created_at` (default `now`) is when the webhook event arose; a retry keeps it and is
    only signed anew.

    Without a signing key no signature header is sent (what Calendly is reported to do for
    PAT subscriptions created without `signing_key`; unconfirmed, facts §2).
    """
    envelope = webhook_envelope(event_type, payload, created_by, created_at or now)
    body = json.dumps(envelope, separators=(",", ":")).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if signing_key is not None:
        headers[SIGNATURE_HEADER] = signature_header(body, signing_key, int(now.timestamp()))
    return headers, body


# -- scenarios ---------------------------------------------------------------------------

FIRST_NAMES = ("Rita", "Jonas", "Aylin", "Mehmet", "Clara", "Lukas", "Sofia", "Emil")
LAST_NAMES = ("Doro", "Becker", "Yilmaz", "Schulz", "Novak", "Wagner", "Kraus", "Lang")


def _book_group(
    state: CalendlyState, first_index: int, size: int, location: str, now: datetime
) -> list[Invitee]:
    start = (now + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    event_uuid = new_uuid()
    event = state.create_event(
        name="Info-Webinar",
        start_time=start,
        end_time=start + timedelta(hours=1),
        location=build_location({"type": location}, event_uuid),
        invitee_limit=max(size, 1),
        host=state.me,
        now=now,
        event_uuid=event_uuid,
    )
    booked = []
    for index in range(first_index, first_index + size):
        first, last = FIRST_NAMES[index % 8], LAST_NAMES[(index // 8) % 8]
        booked.append(
            state.book(
                event,
                name=f"{first} {last}",
                email=f"{first}.{last}.{index}@example.com".lower(),
                first_name=first,
                last_name=last,
                questions_and_answers=[
                    {
                        "question": "Which school do you teach at?",
                        "answer": "GS Nord",
                        "position": 0,
                    }
                ],
                now=now,
            )
        )
    return booked


def scenario(
    event_type: str, *, count: int, group: int, reschedule: bool, location: str, now: datetime
) -> list[tuple[str, dict[str, Any]]]:
    """The (event, payload) pairs one CLI run sends, built through the sandbox's own state."""
    state = CalendlyState.fresh("Info Host", "host@example.com", "Europe/Berlin", now)
    uris = Uris("https://api.calendly.com")
    pushes: list[tuple[str, Invitee]] = []
    for first in range(0, count, group):
        for invitee in _book_group(state, first, min(group, count - first), location, now):
            pushes.extend(_changes(state, invitee, event_type, reschedule, now))
    return [(name, render_invitee(state, inv, uris, embed_event=True)) for name, inv in pushes]


def _changes(
    state: CalendlyState, invitee: Invitee, event_type: str, reschedule: bool, now: datetime
) -> list[tuple[str, Invitee]]:
    if reschedule:
        old_event = state.event(invitee.event_uuid)
        target = state.create_event(
            name=old_event.name,
            start_time=old_event.start_time + timedelta(days=2),
            end_time=old_event.end_time + timedelta(days=2),
            location=old_event.location,
            invitee_limit=1,
            host=state.me,
            now=now,
        )
        cancel = Cancellation(invitee.name, None, "invitee", now)
        successor = state.reschedule(invitee, target, cancel, now=now)
        return [("invitee.canceled", invitee), ("invitee.created", successor)]
    if event_type == "invitee.canceled":
        cancel = Cancellation(invitee.name, "Schedule conflict", "invitee", now)
        return [(event_type, state.cancel_invitee(invitee, cancel, now=now))]
    if event_type == "invitee_no_show.created":
        return [(event_type, state.set_no_show(invitee, True, now=now))]
    if event_type == "invitee_no_show.deleted":
        state.set_no_show(invitee, True, now=now)
        return [(event_type, state.set_no_show(invitee, False, now=now))]
    return [(event_type, invitee)]


# -- CLI ---------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="calendly_push", description="Send signed Calendly webhooks to a running service."
    )
    port = os.environ.get("PORT", "8000")
    parser.add_argument("--url", default=f"http://127.0.0.1:{port}/webhooks/calendly")
    parser.add_argument(
        "--signing-key",
        help="webhook signing key; default: first key of $CALENDLY_WEBHOOK_SIGNING_KEYS, "
        "else the one `webinar-sync up` generated",
    )
    parser.add_argument("--event", choices=PUSHABLE_EVENTS, default="invitee.created")
    parser.add_argument("--count", type=int, default=1, help="number of invitees")
    parser.add_argument("--group", type=int, default=1, help="invitees per scheduled event")
    parser.add_argument(
        "--reschedule", action="store_true", help="send canceled(rescheduled) + created pairs"
    )
    parser.add_argument("--location", choices=LOCATION_TYPES, default="zoom")
    return parser


def main(argv: list[str]) -> int:
    """Exit 0 when every delivery got a 2xx, 1 otherwise, 2 on usage errors."""
    args = _parser().parse_args(argv)
    if args.count < 1 or args.group < 1:
        print("--count and --group must be at least 1", file=sys.stderr)
        return 2
    key = args.signing_key or first_secret("CALENDLY_WEBHOOK_SIGNING_KEYS")
    if key is None:
        print(
            "no signing key: pass --signing-key or set CALENDLY_WEBHOOK_SIGNING_KEYS",
            file=sys.stderr,
        )
        return 2
    now = datetime.now(UTC)
    pushes = scenario(
        args.event,
        count=args.count,
        group=args.group,
        reschedule=args.reschedule,
        location=args.location,
        now=now,
    )
    all_ok = True
    with httpx.Client(timeout=httpx.Timeout(15.0, connect=10.0)) as http:
        for event_type, payload in pushes:
            headers, body = build_delivery(event_type, payload, key, now)
            try:
                status: str = str(http.post(args.url, content=body, headers=headers).status_code)
            except httpx.HTTPError as exc:
                status = f"failed ({type(exc).__name__})"
            all_ok = all_ok and status.startswith("2")
            print(f"{event_type} {payload['uri']} -> {status}")
    return 0 if all_ok else 1
