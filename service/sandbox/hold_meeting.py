"""`webinar-sync sandbox hold-meeting`: a realistic audience in a sandbox Zoom meeting.

Without `--meeting` it stages a whole info-webinar: a sandbox Zoom meeting, a sandbox Calendly
event an hour ago whose location is that meeting, and six bookings (delivered to the service as
Calendly webhooks). Then the meeting is held: some stay, one drops out and rejoins, one leaves
early, one never comes, one waits in the waiting room and is never admitted, and one guest
nobody registered joins without an email. The sandbox Zoom then sends `meeting.ended`, and the
service imports the attendance, lists the guest as unmatched and pushes the no-shows.

With `--meeting ID` (e.g. a course's meeting) the meeting's registrants are the audience.

The sandbox URLs default to the ones `up` wrote to `.data/sandbox-urls.json`.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from service.sandbox.dev_secrets import sandbox_url

# What each registered person does, in minutes from the start of a 60-minute meeting.
BEHAVIOURS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("stays", {"segments": [[0, 55]]}),
    ("drops out and rejoins", {"segments": [[0, 20], [24, 52]]}),
    ("comes late", {"segments": [[12, 60]]}),
    ("leaves early", {"segments": [[0, 14]]}),
    ("never comes", {}),
    ("waits in the waiting room", {"waiting_room": True}),
)
NAMES = ("Anna Berger", "Ben Krüger", "Clara Nowak", "David Sommer", "Eva Lindqvist", "Frank Ott")
GUEST = {"name": "iPhone von Gast", "segments": [[3, 58]]}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="webinar-sync sandbox hold-meeting", description=__doc__)
    parser.add_argument("--meeting", type=int, help="hold this sandbox meeting (its registrants)")
    parser.add_argument("--zoom", default=sandbox_url("zoom"), help="sandbox Zoom base URL")
    parser.add_argument(
        "--calendly", default=sandbox_url("calendly"), help="sandbox Calendly base URL"
    )
    parser.add_argument(
        "--ready-after",
        type=float,
        default=10.0,
        help="seconds until Zoom lists the participants (default 10)",
    )
    return parser


def _zoom_token(zoom: httpx.Client) -> dict[str, str]:
    token = zoom.post(
        "/oauth/token",
        params={"grant_type": "account_credentials", "account_id": "sandbox"},
        auth=("sandbox", "sandbox"),
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _stage_webinar(
    zoom: httpx.Client, calendly: httpx.Client
) -> tuple[int, list[dict[str, str]], str]:
    """A Zoom meeting and a Calendly event at it, an hour ago, with six bookings."""
    start = (datetime.now(UTC) - timedelta(minutes=75)).replace(second=0, microsecond=0)
    created = zoom.post(
        "/v2/users/me/meetings",
        headers=_zoom_token(zoom),
        json={
            "topic": "Infowebinar (Demo)",
            "type": 2,
            "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration": 60,
        },
    )
    created.raise_for_status()
    meeting_id = int(created.json()["id"])
    event = calendly.post(
        "/_sandbox/events",
        json={
            "name": "Infowebinar (Demo)",
            "start_time": start.isoformat(),
            "duration_minutes": 60,
            "max_invitees": 50,
            "location": {"type": "zoom", "join_url": f"https://us02web.zoom.us/j/{meeting_id}"},
        },
    )
    event.raise_for_status()
    event_uri = str(event.json()["resource"]["uri"])
    tag = secrets.token_hex(3)
    people = []
    for name in NAMES:
        email = f"{name.split()[0].lower()}.{tag}@example.com"
        booked = calendly.post(
            "/_sandbox/invitees", json={"event": event_uri, "name": name, "email": email}
        )
        booked.raise_for_status()
        people.append({"name": name, "email": email})
    return meeting_id, people, event_uri


def _registrants(zoom: httpx.Client, meeting_id: int) -> list[dict[str, str]]:
    meetings = zoom.get("/_sandbox/state").json()["meetings"]
    meeting = next((m for m in meetings if m["id"] == meeting_id), None)
    if meeting is None:
        raise SystemExit(f"error: the sandbox Zoom has no meeting {meeting_id}")
    return [
        {"name": f"{r['first_name']} {r['last_name']}".strip(), "email": r["email"]}
        for r in meeting["registrants"]
        if r["status"] == "approved"
    ]


def hold(zoom: httpx.Client, meeting_id: int, people: list[dict[str, str]], ready: float) -> Any:
    audience = [
        {**person, **BEHAVIOURS[index % len(BEHAVIOURS)][1]}
        for index, person in enumerate(people)
        if BEHAVIOURS[index % len(BEHAVIOURS)][1]  # "never comes" has no rows at all
    ]
    held = zoom.post(
        f"/_sandbox/meetings/{meeting_id}/hold",
        json={"participants": [*audience, GUEST], "ready_after_seconds": ready},
    )
    held.raise_for_status()
    return {
        **held.json(),
        "audience": {
            person["name"]: BEHAVIOURS[index % len(BEHAVIOURS)][0]
            for index, person in enumerate(people)
        }
        | {GUEST["name"]: "joins without registering or an email"},
    }


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if not args.zoom or (args.meeting is None and not args.calendly):
        print(
            "error: no sandbox URLs; start `webinar-sync up` without credentials, or pass "
            "--zoom (and --calendly) as `up` printed them",
            file=sys.stderr,
        )
        return 2
    event_uri = None
    with httpx.Client(base_url=args.zoom, timeout=30) as zoom:
        if args.meeting is not None:
            meeting_id, people = args.meeting, _registrants(zoom, args.meeting)
        else:
            with httpx.Client(base_url=args.calendly, timeout=30) as calendly:
                meeting_id, people, event_uri = _stage_webinar(zoom, calendly)
        result = {**hold(zoom, meeting_id, people, args.ready_after), "calendly_event": event_uri}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0
