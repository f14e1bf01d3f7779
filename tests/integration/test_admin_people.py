"""Users (search, detail with pipeline name) and participations."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.integration.admin_support import make_event, make_user, unique


async def test_search_is_case_and_accent_insensitive_on_word_and_email_prefixes(
    admin: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    tag = unique("z").replace("-", "")
    user_id = await make_user(pool, f"Jürgen Öztürk-Groß {tag}", f"j.oeztuerk.{tag}@schule.de")
    for query in ("jurgen", "JÜR", "ozturk", f"{tag}", "jürgen öz", f"j.oeztuerk.{tag}"):
        items = (await admin.get("/api/v1/users/search", params={"query": query})).json()["items"]
        assert user_id in [u["id"] for u in items], query
    for query in ("urgen", f"x{tag}"):
        items = (await admin.get("/api/v1/users/search", params={"query": query})).json()["items"]
        assert user_id not in [u["id"] for u in items], query
    hit = (await admin.get("/api/v1/users/search", params={"query": tag})).json()["items"][0]
    assert set(hit) >= {"id", "name", "email", "role", "pipeline_status"}
    assert hit["pipeline_status"] == "infowebinar_besuchen"


async def test_search_pages_and_treats_wildcards_literally(
    admin: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    tag = unique("p").replace("-", "")
    ids = {await make_user(pool, f"{tag} Nummer {n}") for n in range(5)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"query": tag, "limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = (await admin.get("/api/v1/users/search", params=params)).json()
        seen += [u["id"] for u in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert set(seen) == ids and len(seen) == 5
    wild = await admin.get("/api/v1/users/search", params={"query": "%"})
    assert wild.status_code == 200 and wild.json()["items"] == []


@pytest.mark.parametrize("params", [{}, {"query": ""}, {"query": "  "}, {"query": "a" * 101}])
async def test_search_needs_a_query(admin: httpx.AsyncClient, params: dict[str, str]) -> None:
    response = await admin.get("/api/v1/users/search", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "query"


async def test_user_detail_names_the_pipeline_status(
    admin: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    user_id = await make_user(pool, "Max Mustermann")
    async with pool.acquire() as conn:
        await conn.execute("UPDATE users SET pipeline_status = 8 WHERE id = $1", user_id)
    body = (await admin.get(f"/api/v1/users/{user_id}")).json()
    assert body["pipeline_status"] == "schule_aktiv" and body["pipeline_status_code"] == 8
    assert body["name"] == "Max Mustermann" and body["role"] == "teacher"
    assert (await admin.get("/api/v1/users/nobody-here")).status_code == 404


async def test_participations_are_registered_listed_by_event_and_updated(
    admin: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    user_id = await make_user(pool, "Rita Doro")
    event_id = await make_event(pool)
    start = (await admin.get(f"/api/v1/calendly/events/{event_id}")).json()["start_time"]
    created = await admin.post(
        "/api/v1/participations", json={"teacher_id": user_id, "webinar_date": start}
    )
    assert created.status_code == 201, created.text
    participation = created.json()
    assert participation["participated"] is None and participation["teacher_id"] == user_id

    duplicate = await admin.post(
        "/api/v1/participations", json={"teacher_id": user_id, "webinar_date": start}
    )
    assert duplicate.status_code == 409

    listed = (await admin.get("/api/v1/participations", params={"event_id": event_id})).json()
    assert [p["id"] for p in listed["items"]] == [participation["id"]]

    updated = await admin.patch(
        f"/api/v1/participations/{participation['id']}", json={"participated": True}
    )
    assert updated.status_code == 200
    assert updated.json()["participated"] is True
    assert updated.json()["updated_by"].startswith("admin:")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["teacher_id", "webinar_date"]),
        ({"teacher_id": "x", "webinar_date": "soon"}, ["webinar_date"]),
        ({"teacher_id": "no-such-user", "webinar_date": "2031-01-01T10:00:00Z"}, ["teacher_id"]),
        ({"teacher_id": "x", "webinar_date": "2031-01-01T10:00:00Z", "y": 1}, ["y"]),
    ],
)
async def test_participation_input_is_validated(
    admin: httpx.AsyncClient, body: dict[str, object], fields: list[str]
) -> None:
    response = await admin.post("/api/v1/participations", json=body)
    assert response.status_code == 422, response.text
    assert sorted(d["field"] for d in response.json()["error"]["details"]) == sorted(fields)


async def test_participation_errors(admin: httpx.AsyncClient) -> None:
    assert (await admin.get("/api/v1/participations")).status_code == 422
    assert (
        await admin.get("/api/v1/participations", params={"event_id": "999999999"})
    ).status_code == 404
    assert (
        await admin.patch("/api/v1/participations/999999999", json={"participated": False})
    ).status_code == 404
    bad = await admin.patch("/api/v1/participations/1", json={"participated": "yes"})
    assert bad.status_code == 422
