"""Course attendance per session from Zoom (CONTRACT §7): recurring meeting, restarted session,
a list Zoom fills late, every page of a long list, a UUID that must be encoded twice, and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx

from tests.integration.attendance_support import (  # noqa: F401 - fixtures
    Stack,
    api_fixture,
    import_of,
    stack_fixture,
)
from tests.integration.booking_support import booking_event, course_event, new_id, send_event
from tests.support import eventually

SESSIONS = [("2031-10-13", "16:00", "17:00"), ("2031-10-20", "16:00", "17:00")]
# 16:00 in Berlin (summer time) is 14:00 UTC.
FIRST, SECOND = "2031-10-13T14:00:00Z", "2031-10-20T14:00:00Z"


async def _registered(pool: asyncpg.Pool, course_id: str) -> dict[str, Any]:
    async def approved() -> dict[str, Any]:
        rows = await pool.fetch(
            "SELECT booking_id, meeting_id FROM zoom_registrants WHERE course_id = $1 "
            "AND zoom_status = 'approved' AND state = 'done'",
            course_id,
        )
        return {r["booking_id"]: r["meeting_id"] for r in rows} if len(rows) == 2 else {}

    return await eventually(approved, within=60)


async def test_course_attendance_per_session(
    stack: Stack, api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    course_id, b1, b2 = new_id("c"), new_id("B"), new_id("B")
    assert (await send_event(api, course_event(course_id, sessions=SESSIONS))).status_code == 202
    for booking_id, first_name in ((b1, "Rita"), (b2, "=SUM(1)")):
        event = booking_event(booking_id, course_id, first_name=first_name)
        assert (await send_event(api, event)).status_code == 202
    registered = await _registered(pool, course_id)
    meeting_id = registered[b1]
    email = {b: f"{b.lower()}@example.com" for b in (b1, b2)}

    # Session 1: a UUID Zoom wants encoded twice, a list of more than one page (300 rows),
    # not ready at first.
    guests = [{"name": f"Gast {n}", "segments": [[0, 5], [6, 10]]} for n in range(150)]
    uuid = "/" + new_id() + "//Ab+c=="
    stack.hold(
        meeting_id,
        uuid=uuid,
        start_time=FIRST,
        ready_after_seconds=2,
        participants=[
            {"name": "Rita", "email": email[b1], "segments": [[0, 60]]},
            {"name": "Sum", "email": email[b2], "segments": [[0, 10]]},
            *guests,
        ],
    )
    first = await import_of(pool, uuid)
    assert first["not_ready_checks"] >= 1
    assert (first["participants"], first["pages"], first["matched"]) == (302, 2, 2)
    # The sandbox logs the path as decoded once by the server: still encoded once, so it was
    # sent encoded twice (sent once, it would read "/past_meetings//…" and not be found).
    decoded_once = quote(uuid, safe="")
    paths = {
        r["path"] for r in stack.zoom.requests() if r["operation"] == "pastMeetingParticipants"
    }
    assert paths == {f"/v2/past_meetings/{decoded_once}/participants"}

    # Session 2, restarted: neither instance alone reaches 50 % for b2, both together do.
    restarted = [
        stack.hold(
            meeting_id,
            start_time=SECOND,
            participants=[{"name": "Sum", "email": email[b2], "segments": [[0, 20]]}],
        ),
        stack.hold(
            meeting_id,
            start_time="2031-10-20T14:25:00Z",
            participants=[{"name": "Sum", "email": email[b2], "segments": [[0, 15]]}],
        ),
    ]
    for held in restarted:
        await import_of(pool, held["uuid"])

    response = await api.get(f"/api/v1/courses/{course_id}/attendance")
    assert response.status_code == 200
    sessions = response.json()["sessions"]
    seen = [
        {b["booking_id"]: (b["attended"], b["minutes"]) for b in s["bookings"]} for s in sessions
    ]
    assert seen == [
        {b1: (True, 60), b2: (False, 10)},
        {b1: (False, 0), b2: (True, 35)},
    ]
    assert [s["date"] for s in sessions] == ["2031-10-13", "2031-10-20"]
    assert sessions[0]["uuid"] == uuid
    assert sorted(sessions[1]["uuids"]) == sorted(h["uuid"] for h in restarted)

    exported = await api.get(f"/api/v1/courses/{course_id}/attendance.csv")
    assert exported.status_code == 200
    text = exported.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == ["Datum", "Buchung", "Name", "E-Mail", "Anwesenheit", "Minuten"]
    assert ["2031-10-20", b2, "'=SUM(1) Doro", email[b2], "teilgenommen", "35"] in rows
    assert len(rows) == 5

    stats = await api.get(
        "/api/v1/analytics/courses", params={"from": "2031-10-01", "to": "2031-11-01"}
    )
    mine = next(c for c in stats.json()["items"] if c["course_id"] == course_id)
    assert (mine["bookings"], mine["sessions"]) == (2, 2)
    assert [s["attendance_rate"] for s in mine["imported_sessions"]] == [0.5, 0.5]

    unknown = await api.get(f"/api/v1/courses/{new_id('nope')}/attendance")
    assert unknown.status_code == 404
