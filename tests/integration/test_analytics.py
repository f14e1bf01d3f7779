"""Analytics (CONTRACT §8) on a known dataset, with the definitions of docs/attendance.md."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import httpx

from tests.integration.booking_support import new_id


async def _event(
    pool: asyncpg.Pool, start: str, marks: list[tuple[str, bool | None, bool]]
) -> None:
    """An event at `start` with attendees (status, attended, booked in Calendly or by hand)."""
    at = datetime.fromisoformat(start).replace(tzinfo=UTC)
    event_id = await pool.fetchval(
        """
        INSERT INTO calendly_events (uri, name, status, start_time, end_time, calendly_updated_at)
        VALUES ($1, 'Infowebinar', 'active', $2::timestamptz, $2::timestamptz + interval '1 hour',
                now()) RETURNING id
        """,
        f"https://api.calendly.com/scheduled_events/{new_id()}",
        at,
    )
    for status, attended, from_calendly in marks:
        await pool.execute(
            """
            INSERT INTO calendly_attendees (uri, event_id, name, email, status, attended)
            VALUES ($1, $2, 'X', 'x@example.com', $3, $4)
            """,
            f"https://api.calendly.com/invitees/{new_id()}" if from_calendly else None,
            event_id,
            status,
            attended,
        )


async def test_webinar_rates_per_week_and_month(
    admin: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await _event(
        pool,
        "2011-03-08T16:00:00",
        [
            ("active", True, True),
            ("active", False, True),
            ("active", None, True),
            ("canceled", None, True),
        ],
    )
    await _event(pool, "2011-03-10T16:00:00", [("active", True, True), ("active", True, False)])
    await _event(pool, "2011-03-15T16:00:00", [("active", False, True)])
    window = {"from": "2011-03-01", "to": "2011-04-01"}

    weeks = (await admin.get("/api/v1/analytics/webinars", params=window)).json()["items"]
    picked = [
        "period",
        "events",
        "booked",
        "cancelled",
        "attended",
        "not_attended",
        "pending",
        "attendance_rate",
        "no_show_rate",
    ]
    assert [[w[k] for k in picked] for w in weeks] == [
        ["2011-03-07", 2, 6, 1, 3, 1, 1, 0.75, 0.25],
        ["2011-03-14", 1, 1, 0, 0, 1, 0, 0.0, 1.0],
    ]
    months = (
        await admin.get("/api/v1/analytics/webinars", params={**window, "group": "month"})
    ).json()["items"]
    assert [[m[k] for k in picked] for m in months] == [["2011-03-01", 3, 7, 1, 3, 2, 1, 0.6, 0.4]]
    assert months[0]["period_end"] == "2011-04-01"
    empty = await admin.get(
        "/api/v1/analytics/webinars", params={"from": "2011-05-01", "to": "2011-06-01"}
    )
    assert empty.json()["items"] == []
    bad = await admin.get("/api/v1/analytics/webinars", params={"group": "day"})
    assert bad.status_code == 422


async def test_pipeline_counts_stages_and_transitions(
    admin: httpx.AsyncClient, ops: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    moves = {"u1": [(4, 6), (6, 8)], "u2": [(4, 6), (6, 7)]}
    tag = new_id()
    for user, steps in moves.items():
        await pool.execute(
            "INSERT INTO users (id, version, name, email, role, search_key, pipeline_status) "
            "VALUES ($1, 1, 'T', NULL, 'teacher', 't', $2)",
            f"{user}-{tag}",
            steps[-1][1],
        )
        for day, (before, after) in enumerate(steps, start=2):
            await pool.execute(
                "INSERT INTO pipeline_transitions (user_id, from_status, to_status, cause, at) "
                "VALUES ($1, $2, $3, 'test', $4)",
                f"{user}-{tag}",
                before,
                after,
                datetime(2011, 3, day, tzinfo=UTC),
            )
    result = (
        await ops.get(
            "/api/v1/analytics/pipeline", params={"from": "2011-03-01", "to": "2011-04-01"}
        )
    ).json()
    assert result["transitions"] == [
        {"from": "infowebinar_besuchen", "to": "infowebinar_gebucht", "count": 2},
        {"from": "infowebinar_gebucht", "to": "nicht_teilgenommen", "count": 1},
        {"from": "infowebinar_gebucht", "to": "schule_aktiv", "count": 1},
    ]
    stages = {s["stage"]: s["teachers"] for s in result["stages"]}
    assert list(stages) == [
        "infowebinar_besuchen",
        "infowebinar_gebucht",
        "nicht_teilgenommen",
        "schule_aktiv",
    ]
    assert stages["schule_aktiv"] >= 1 and stages["nicht_teilgenommen"] >= 1
    refused = await ops.post("/api/v1/attendance/unmatched/1/link", json={"attendee_id": 1})
    assert refused.status_code == 403
