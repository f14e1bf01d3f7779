"""Attendee edits: manual attendees, PATCH, bulk attendance (all or nothing) and its audit."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.integration.admin_support import (
    make_attendee,
    make_event,
    make_user,
    pipeline_status,
    unique,
)


async def test_manual_attendee_is_added_linked_and_books_the_teacher(
    admin: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    email = f"{unique('t')}@Example.com"
    user_id = await make_user(pool, "Anna Bergström", email.lower())
    event_id = await make_event(pool)
    response = await admin.post(
        f"/api/v1/calendly/events/{event_id}/attendees",
        json={"name": "Anna Bergström", "email": email},
    )
    assert response.status_code == 201, response.text
    attendee = response.json()
    assert attendee["uri"] is None and attendee["source"] == "manual"
    assert attendee["event_id"] == event_id and attendee["status"] == "active"
    assert attendee["attended"] is None and attendee["user_id"] == user_id
    assert await pipeline_status(pool, user_id) == 6  # infowebinar_gebucht

    again = await admin.post(
        f"/api/v1/calendly/events/{event_id}/attendees",
        json={"name": "Anna", "email": email.upper()},
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["name", "email"]),
        ({"name": "", "email": "no-at-sign"}, ["name", "email"]),
        ({"name": "A", "email": "a@example.com", "extra": 1}, ["extra"]),
        ({"name": 5, "email": "a b@example.com"}, ["name", "email"]),
    ],
)
async def test_manual_attendee_input_is_validated(
    admin: httpx.AsyncClient, pool: asyncpg.Pool, body: dict[str, object], fields: list[str]
) -> None:
    event_id = await make_event(pool)
    response = await admin.post(f"/api/v1/calendly/events/{event_id}/attendees", json=body)
    assert response.status_code == 422
    assert sorted(d["field"] for d in response.json()["error"]["details"]) == sorted(fields)


async def test_malformed_json_is_400_and_unknown_event_404(admin: httpx.AsyncClient) -> None:
    response = await admin.post(
        "/api/v1/calendly/events/1/attendees",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"
    missing = await admin.post(
        "/api/v1/calendly/events/999999999/attendees", json={"name": "A", "email": "a@b.de"}
    )
    assert missing.status_code == 404


async def test_patch_changes_only_the_fields_sent(
    admin: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    event_id = await make_event(pool)
    attendee_id = await make_attendee(pool, event_id)
    user_id = await make_user(pool, "Max Mustermann")
    response = await admin.patch(
        f"/api/v1/attendees/{attendee_id}",
        json={
            "user_id": user_id,
            "prognosis_class_count": 2,
            "prognosis_start": "Q1 2027",
            "notes": "Interessiert an Coding-Kursen",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user_id"] == user_id and body["prognosis_class_count"] == 2
    assert body["prognosis_start"] == "Q1 2027" and body["name"] == "Max Mustermann"
    assert await pipeline_status(pool, user_id) == 6  # linked to an active booking

    cleared = await admin.patch(
        f"/api/v1/attendees/{attendee_id}", json={"notes": None, "name": "Max M."}
    )
    assert cleared.json()["notes"] is None and cleared.json()["name"] == "Max M."
    assert cleared.json()["prognosis_start"] == "Q1 2027"

    unlinked = await admin.patch(f"/api/v1/attendees/{attendee_id}", json={"user_id": None})
    assert unlinked.json()["user_id"] is None
    assert await pipeline_status(pool, user_id) == 4  # no booking left


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"prognosis_class_count": -1}, ["prognosis_class_count"]),
        ({"prognosis_class_count": "2"}, ["prognosis_class_count"]),
        ({"name": None, "email": "x"}, ["name", "email"]),
        ({"notes": 3, "attended": True}, ["attended", "notes"]),
        ({"user_id": "no-such-user"}, ["user_id"]),
        ({"user_id": True}, ["user_id"]),
    ],
)
async def test_patch_input_is_validated(
    admin: httpx.AsyncClient, pool: asyncpg.Pool, body: dict[str, object], fields: list[str]
) -> None:
    attendee_id = await make_attendee(pool, await make_event(pool))
    response = await admin.patch(f"/api/v1/attendees/{attendee_id}", json=body)
    assert response.status_code == 422, response.text
    assert sorted(d["field"] for d in response.json()["error"]["details"]) == sorted(fields)


async def test_patch_unknown_attendee_is_404(admin: httpx.AsyncClient) -> None:
    response = await admin.patch("/api/v1/attendees/999999999", json={"notes": "x"})
    assert response.status_code == 404


async def test_attendance_is_set_for_all_with_who_and_when(
    admin: httpx.AsyncClient, pool: asyncpg.Pool, admin_token: str
) -> None:
    event_id = await make_event(pool)
    ids = [await make_attendee(pool, event_id) for _ in range(3)]
    response = await admin.put(
        "/api/v1/attendees/attendance",
        json={
            "updates": [
                {"attendee_id": ids[0], "attended": True},
                {"attendee_id": ids[1], "attended": False},
                {"attendee_id": ids[2], "attended": None},
            ]
        },
    )
    assert response.status_code == 200, response.text
    assert [a["attended"] for a in response.json()["items"]] == [True, False, None]
    async with pool.acquire() as conn:
        audit = await conn.fetch(
            "SELECT attendee_id, attended, changed_by FROM attendance_changes "
            "WHERE attendee_id = ANY($1::bigint[]) ORDER BY attendee_id",
            ids,
        )
        marked_by = await conn.fetchval(
            "SELECT attendance_marked_by FROM calendly_attendees WHERE id = $1", ids[0]
        )
    assert [(r["attendee_id"], r["attended"]) for r in audit] == list(
        zip(ids, [True, False, None], strict=True)
    )
    assert all(r["changed_by"].startswith("admin:admin-") for r in audit)
    assert marked_by == audit[0]["changed_by"]


async def test_attendance_with_one_unknown_id_changes_nothing(
    admin: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    event_id = await make_event(pool)
    known = await make_attendee(pool, event_id)
    response = await admin.put(
        "/api/v1/attendees/attendance",
        json={
            "updates": [
                {"attendee_id": known, "attended": True},
                {"attendee_id": 999999999, "attended": False},
            ]
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        {"field": "updates[1].attendee_id", "problem": "no attendee 999999999"}
    ]
    detail = (await admin.get(f"/api/v1/calendly/events/{event_id}")).json()
    assert detail["attendees"][0]["attended"] is None


TWICE = [{"attendee_id": 1, "attended": True}, {"attendee_id": 1, "attended": False}]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"updates": [{"attendee_id": 1}]}, ["updates[0].attended"]),
        (
            {"updates": [{"attendee_id": "1", "attended": "yes"}]},
            ["updates[0].attendee_id", "updates[0].attended"],
        ),
        ({"updates": TWICE}, ["updates[1].attendee_id"]),
        ({"updates": {}}, ["updates"]),
        ([], ["body"]),
    ],
)
async def test_attendance_input_is_validated(
    admin: httpx.AsyncClient, body: object, fields: list[str]
) -> None:
    response = await admin.put("/api/v1/attendees/attendance", json=body)
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == fields
