"""A missed `meeting.ended` loses nothing: the sweep (`webinar-sync attendance import`) finds the
instance, and a Calendly event whose location is the meeting gets its attendance by email."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from tests.integration.attendance_support import (  # noqa: F401 - fixtures
    Stack,
    api_fixture,
    import_of,
    stack_fixture,
)
from tests.integration.booking_support import new_id
from tests.support import eventually, run_service


async def test_sweep_imports_an_instance_whose_webhook_was_lost(
    stack: Stack, api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    start = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
    meeting_id = stack.create_meeting(start_time=start.strftime("%Y-%m-%dT%H:%M:%SZ"))
    event_id = await pool.fetchval(
        """
        INSERT INTO calendly_events (uri, name, status, start_time, end_time, location_join_url,
                                     calendly_updated_at)
        VALUES ($1, 'Infowebinar', 'active', $2, $3, $4, now()) RETURNING id
        """,
        f"https://api.calendly.com/scheduled_events/{new_id()}",
        start,
        start + timedelta(hours=1),
        f"https://us02web.zoom.us/j/{meeting_id}?pwd=abc",
    )
    email = f"{new_id('ute')}@bücher.example"
    attendee_id = await pool.fetchval(
        """
        INSERT INTO calendly_attendees (event_id, name, email, status)
        VALUES ($1, 'Ute', $2, 'active') RETURNING id
        """,
        event_id,
        email,
    )
    shown = email.partition("@")[0].upper() + "@xn--bcher-kva.example"  # as Zoom shows it
    held = stack.hold(
        meeting_id,
        deliver=False,
        start_time=start.isoformat(),
        participants=[{"name": "Ute", "email": shown, "segments": [[0, 45]]}],
    )
    assert held["delivery"] is None

    swept = run_service("attendance", "import", env=stack.env, timeout=120)
    assert swept.returncode == 0, swept.stderr
    assert held["uuid"] in json.loads(swept.stdout)["queued"]
    done = await import_of(pool, held["uuid"])
    assert done["calendly_event_id"] == event_id
    ute = await pool.fetchrow(
        "SELECT attended, attendance_source, zoom_minutes FROM calendly_attendees WHERE id = $1",
        attendee_id,
    )
    assert ute is not None
    assert dict(ute) == {"attended": True, "attendance_source": "zoom", "zoom_minutes": 45}

    again = run_service(
        "attendance", "import", "--meeting", str(meeting_id), env=stack.env, timeout=120
    )
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["queued"] == []  # a finished import is not repeated


async def test_a_list_still_missing_two_hours_after_the_end_is_a_dead_letter_to_replay(
    stack: Stack, api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    start = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
    meeting_id = stack.create_meeting(start_time=start.strftime("%Y-%m-%dT%H:%M:%SZ"))
    await pool.execute(
        """
        INSERT INTO calendly_events (uri, name, status, start_time, end_time, location_join_url,
                                     calendly_updated_at)
        VALUES ($1, 'Infowebinar', 'active', $2, $3, $4, now())
        """,
        f"https://api.calendly.com/scheduled_events/{new_id()}",
        start,
        start + timedelta(hours=1),
        f"https://us02web.zoom.us/j/{meeting_id}",
    )
    held = stack.hold(
        meeting_id,
        start_time=start.isoformat(),
        ready_after_seconds=3,
        participants=[{"name": "Gast", "segments": [[0, 60]]}],
    )
    failed = await import_of(pool, held["uuid"], status="failed")
    assert "2 h" in failed["last_error"]
    letters = (
        await api.get("/api/v1/ops/dead-letters", params={"type": "import_attendance"})
    ).json()["items"]
    letter = next(d for d in letters if d["payload"]["subject"] == f"zoom-instance:{held['uuid']}")
    assert letter["source"] == "zoom"

    await eventually(lambda: stack.participants_listed(held["uuid"]))
    replayed = await api.post(f"/api/v1/ops/dead-letters/{letter['id']}/replay")
    assert replayed.status_code == 200, replayed.text
    done = await import_of(pool, held["uuid"])
    assert (done["participants"], done["unmatched"]) == (1, 1)
