"""A held info-webinar marks its Calendly attendees from Zoom; no-shows go back to Calendly.

Real HTTP end to end: the sandbox Calendly books invitees (webhooks to our API), mapping the
event type registers them in the sandbox Zoom (worker), holding the meeting in the sandbox Zoom
delivers `meeting.ended`, the worker imports the participants and pushes no-shows to the sandbox
Calendly, whose own `invitee_no_show.*` webhooks come back to our API.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx

from tests.integration.attendance_support import (  # noqa: F401 - fixtures
    Stack,
    api_fixture,
    import_of,
    stack_fixture,
)
from tests.integration.booking_support import new_id
from tests.support import eventually

START = "2031-10-13T16:00:00Z"


async def _attendees(api: httpx.AsyncClient, event_id: int) -> dict[str, dict[str, Any]]:
    event = (await api.get(f"/api/v1/calendly/events/{event_id}")).json()
    return {a["name"].split()[0]: a for a in event["attendees"]}


async def _no_show(stack: Stack, invitee_uri: str) -> Any:
    return stack.calendly_get(urlsplit(invitee_uri).path).json()["resource"]["no_show"]


async def _gone(stack: Stack, invitee_uri: str) -> bool:
    return await _no_show(stack, invitee_uri) is None


async def test_held_webinar_marks_attendees_and_pushes_no_shows(
    stack: Stack, api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    event_type, tag = new_id("et"), new_id()
    emails = {
        name: f"{name.lower()}.{tag}@example.com" for name in ("Anna", "Bert", "Carl", "Dora")
    }
    for name in ("Anna", "Bert"):
        await pool.execute(
            """
            INSERT INTO users (id, version, name, email, role, search_key, pipeline_status)
            VALUES ($1, 1, $2, $3, 'teacher', $2, 6)
            """,
            f"u-{name}-{tag}",
            name,
            emails[name],
        )
    meeting_id = stack.create_meeting()
    event = stack.calendly_control(
        "events",
        {"start_time": START, "duration_minutes": 60, "event_type": event_type, "max_invitees": 9},
    )["resource"]
    invitees = {
        name: stack.calendly_control(
            "invitees", {"event": event["uri"], "name": f"{name} Muster", "email": email}
        )["resource"]["uri"]
        for name, email in emails.items()
    }
    event_id = await eventually(
        lambda: pool.fetchval(
            "SELECT e.id FROM calendly_events e WHERE e.uri = $1 AND "
            "(SELECT count(*) FROM calendly_attendees a WHERE a.event_id = e.id) = 4",
            event["uri"],
        )
    )
    people = await _attendees(api, event_id)
    mapped = await api.put(
        f"/api/v1/calendly/event-types/{event_type}/zoom", json={"meeting_id": meeting_id}
    )
    assert mapped.status_code == 200
    await eventually(
        lambda: pool.fetchval(
            "SELECT count(*) = 4 FROM calendly_zoom_registrants z JOIN calendly_attendees a "
            "ON a.id = z.attendee_id WHERE a.event_id = $1 AND z.registrant_id IS NOT NULL",
            event_id,
        ),
        within=30,
    )
    marked = await api.put(
        "/api/v1/attendees/attendance",
        json={"updates": [{"attendee_id": people["Dora"]["id"], "attended": False}]},
    )
    assert marked.status_code == 200

    held = stack.hold(
        meeting_id,
        start_time=START,
        participants=[
            {"name": "Anna Muster", "email": emails["Anna"], "segments": [[0, 50]]},
            {"name": "Bert Muster", "email": emails["Bert"], "segments": [[0, 10], [15, 25]]},
            {"name": "Dora Muster", "email": emails["Dora"], "segments": [[0, 60]]},
            {"name": "Gast ohne Mail", "segments": [[5, 35], [30, 65]]},
            {"name": "Wartend", "email": f"wait.{tag}@example.com", "waiting_room": True},
        ],
    )
    assert held["delivery"]["status"] == 200
    done = await import_of(pool, held["uuid"])
    assert (done["participants"], done["matched"], done["unmatched"]) == (6, 3, 1)

    people = await _attendees(api, event_id)
    seen = {
        n: (a["attended"], a["attendance_source"], a["zoom_minutes"]) for n, a in people.items()
    }
    assert seen == {
        "Anna": (True, "zoom", 50),
        "Bert": (False, "zoom", 20),
        "Carl": (False, "zoom", 0),
        "Dora": (False, "manual", 60),  # a mark by hand stays; Zoom's figure beside it
    }
    stages = {
        r["name"]: r["pipeline_status"]
        for r in await pool.fetch(
            "SELECT name, pipeline_status FROM users WHERE id LIKE $1", f"%{tag}"
        )
    }
    assert stages == {"Anna": 8, "Bert": 7}
    changed_by = await pool.fetch(
        "SELECT changed_by FROM attendance_changes WHERE attendee_id = $1", people["Carl"]["id"]
    )
    assert [r["changed_by"] for r in changed_by] == ["zoom"]

    for name in ("Bert", "Carl", "Dora"):
        uri = invitees[name]
        await eventually(partial(_no_show, stack, uri), within=30)
    assert await _no_show(stack, invitees["Anna"]) is None
    # Our own no-shows come back as webhooks: they change nothing and send nothing.
    await eventually(
        lambda: pool.fetchval(
            "SELECT count(*) = 3 FROM inbox WHERE event_type = 'invitee_no_show.created' "
            "AND status <> 'pending' AND payload -> 'payload' ->> 'uri' = ANY($1::text[])",
            list(invitees.values()),
        ),
        within=30,
    )
    assert len(stack.calendly_requests("POST", "/invitee_no_shows")) == 3
    assert (await _attendees(api, event_id))["Carl"]["attended"] is False
    own_echo = await pool.fetchval(
        "SELECT count(*) FROM attendance_changes WHERE changed_by = 'calendly:no_show' "
        "AND attendee_id = ANY($1::bigint[])",
        [a["id"] for a in people.values()],
    )
    assert own_echo == 0

    # Undo by hand: the no-show is deleted, and Calendly's report of it changes nothing.
    undo = await api.put(
        "/api/v1/attendees/attendance",
        json={"updates": [{"attendee_id": people["Bert"]["id"], "attended": True}]},
    )
    assert undo.status_code == 200
    await eventually(lambda: _gone(stack, invitees["Bert"]), within=30)
    await eventually(
        lambda: pool.fetchval(
            "SELECT count(*) = 1 FROM inbox WHERE event_type = 'invitee_no_show.deleted' "
            "AND status <> 'pending' AND payload -> 'payload' ->> 'uri' = $1",
            invitees["Bert"],
        ),
        within=30,
    )
    assert (await _attendees(api, event_id))["Bert"]["attended"] is True

    async def imports_and_waiting_counted() -> bool:
        # /metrics reads Postgres at most every few seconds (service/api/metrics.py).
        metrics = (await api.get("/metrics")).text
        waiting = [
            float(line.split()[1])
            for line in metrics.splitlines()
            if line.startswith("webinar_sync_attendance_unmatched_waiting ")
        ]
        done = 'webinar_sync_attendance_imports{status="done"}' in metrics
        return done and waiting[0] >= 1

    await eventually(imports_and_waiting_counted, within=30)

    # The guest nobody registered waits for review; linking credits the minutes.
    unmatched = (await api.get("/api/v1/attendance/unmatched", params={"limit": 500})).json()
    guest = next(u for u in unmatched["items"] if u["uuid"] == held["uuid"])
    assert (guest["name"], guest["email"], guest["minutes"]) == ("Gast ohne Mail", "", 60)
    linked = await api.post(
        f"/api/v1/attendance/unmatched/{guest['id']}/link",
        json={"attendee_id": people["Carl"]["id"]},
    )
    assert linked.status_code == 200, linked.text
    carl = (await _attendees(api, event_id))["Carl"]
    assert (carl["attended"], carl["attendance_source"], carl["zoom_minutes"]) == (True, "zoom", 60)
    await eventually(lambda: _gone(stack, invitees["Carl"]), within=30)
    again = await api.post(
        f"/api/v1/attendance/unmatched/{guest['id']}/link",
        json={"attendee_id": people["Carl"]["id"]},
    )
    assert again.status_code == 409


async def test_a_meeting_ended_that_overtakes_its_calendly_event_is_still_imported(
    stack: Stack, pool: asyncpg.Pool
) -> None:
    start, email = "2031-11-03T16:00:00Z", f"ida.{new_id()}@example.com"
    meeting_id = stack.create_meeting()
    held = stack.hold(
        meeting_id,
        start_time=start,
        participants=[{"name": "Ida Früh", "email": email, "segments": [[0, 60]]}],
    )
    assert held["delivery"]["status"] == 200
    # The worker has looked once and found the meeting unknown: it waits instead of dropping
    # (a deferral: no attempt spent, docs/architecture.md "Queues and the failure policy").
    await eventually(
        lambda: pool.fetchval(
            "SELECT last_error LIKE 'deferred: %' AND status = 'pending' FROM inbox"
            " WHERE source = 'zoom' AND event_type = 'meeting.ended'"
            " AND payload -> 'payload' -> 'object' ->> 'uuid' = $1",
            held["uuid"],
        )
    )
    # Only now does the Calendly event at that meeting arrive.
    join_url = f"https://us02web.zoom.us/j/{meeting_id}"
    event = stack.calendly_control(
        "events",
        {
            "start_time": start,
            "duration_minutes": 60,
            "max_invitees": 9,
            "location": {"type": "zoom", "join_url": join_url},
        },
    )["resource"]
    stack.calendly_control("invitees", {"event": event["uri"], "name": "Ida Früh", "email": email})

    done = await import_of(pool, held["uuid"])
    assert (done["participants"], done["matched"], done["unmatched"]) == (1, 1, 0)
    attended = await pool.fetchval(
        "SELECT a.attended FROM calendly_attendees a JOIN calendly_events e ON e.id = a.event_id "
        "WHERE e.uri = $1",
        event["uri"],
    )
    assert attended is True
