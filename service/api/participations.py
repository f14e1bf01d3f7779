"""Participations: list those of one event's date, register one, set `participated`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.adapters import participations, user_reads
from service.api.pagination import page, page_params
from service.domain.numbers import ascii_int
from service.http import input
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.http.serialize import jsonable


async def list_participations(request: Request) -> JSONResponse:
    """`?event_id=` (required): participations whose `webinar_date` is that event's start."""
    event_id = ascii_int(request.query_params.get("event_id"))
    if event_id is None:
        raise ApiError(
            422,
            "the request is invalid",
            [{"field": "event_id", "problem": "required: the id of a Calendly event"}],
        )
    cursor, limit = page_params(request)
    async with runtime(request).pool.acquire() as conn:
        start = await participations.event_date(conn, event_id)
        if start is None:
            raise ApiError(404, f"no such event: {event_id}")
        rows = await participations.for_date(conn, start, cursor, limit + 1)
    return JSONResponse(page(jsonable(rows), limit))


async def create_participation(request: Request) -> JSONResponse:
    """`{"teacher_id", "webinar_date"}`; 409 if that teacher already has one on that date."""
    problems = input.Problems()
    body = await input.json_object(request, frozenset({"teacher_id", "webinar_date"}), problems)
    teacher_id = body.get("teacher_id")
    if isinstance(teacher_id, int) and not isinstance(teacher_id, bool):
        teacher_id = str(teacher_id)
    if not isinstance(teacher_id, str) or not teacher_id.strip() or not input.storable(teacher_id):
        problems.add("teacher_id", "required: a user id")
    raw_date = body.get("webinar_date")
    when = None
    if not isinstance(raw_date, str):
        problems.add("webinar_date", "required: an ISO-8601 date-time")
    else:
        parsed = input.instant(raw_date, "webinar_date", problems)
        when = parsed[0] if parsed else None
    problems.raise_if_any()
    assert isinstance(teacher_id, str) and when is not None
    async with runtime(request).pool.acquire() as conn:
        if not await user_reads.exists(conn, teacher_id):
            raise ApiError(
                422,
                "the request is invalid",
                [{"field": "teacher_id", "problem": f"no user with id {teacher_id}"}],
            )
        created = await participations.create(conn, teacher_id, when, input.actor(request))
    if created is None:
        raise ApiError(409, f"user {teacher_id} already has a participation on {raw_date}")
    return JSONResponse(jsonable(created), status_code=201)


async def update_participation(request: Request) -> JSONResponse:
    """`{"participated": true|false|null}` (null = not yet known)."""
    participation_id = input.path_id(request, "participation")
    problems = input.Problems()
    body = await input.json_object(request, frozenset({"participated"}), problems)
    participated = input.tri_state(body, "participated", problems)
    problems.raise_if_any()
    async with runtime(request).pool.acquire() as conn:
        updated = await participations.set_participated(
            conn, participation_id, participated, input.actor(request)
        )
    if updated is None:
        raise ApiError(404, f"no such participation: {participation_id}")
    return JSONResponse(jsonable(updated))
