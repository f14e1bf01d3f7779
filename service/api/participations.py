"""Participations: list those of one event's date, register one, set `participated`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.adapters import participations, user_reads
from service.api.models.queries import ParticipationsQuery
from service.api.models.requests import ById, NewParticipation, ParticipationPatch
from service.api.models.resources import Page, Participation
from service.api.operation import WEBINARS, Operation, ok
from service.api.pagination import page
from service.http import input
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.http.serialize import jsonable
from service.http.validation import parse, parse_query

LIST_PARTICIPATIONS = Operation(
    "Participations whose webinar_date is the event's start",
    WEBINARS,
    ok(Page[Participation], "Participations"),
    errors=(404, 422),
    query=ParticipationsQuery,
)


async def list_participations(request: Request) -> JSONResponse:
    """`?event_id=` (required): participations whose `webinar_date` is that event's start."""
    wanted = parse_query(ParticipationsQuery, request.query_params)
    event_id = wanted.event_id
    cursor, limit = wanted.page()
    async with runtime(request).pool.acquire() as conn:
        start = await participations.event_date(conn, event_id)
        if start is None:
            raise ApiError(404, f"no such event: {event_id}")
        rows = await participations.for_date(conn, start, cursor, limit + 1)
    return JSONResponse(page(jsonable(rows), limit))


CREATE_PARTICIPATION = Operation(
    "Register a participation",
    WEBINARS,
    ok(Participation, "Created", 201),
    errors=(400, 409, 413, 422),
    body=NewParticipation,
)


async def create_participation(request: Request) -> JSONResponse:
    """`{"teacher_id", "webinar_date"}`; 409 if that teacher already has one on that date."""
    body = await input.json_body(request)
    new = parse(NewParticipation, body)
    teacher_id = str(new.teacher_id)
    async with runtime(request).pool.acquire() as conn:
        if not await user_reads.exists(conn, teacher_id):
            raise ApiError(
                422,
                "the request is invalid",
                [{"field": "teacher_id", "problem": f"no user with id {teacher_id}"}],
            )
        created = await participations.create(
            conn, teacher_id, new.webinar_date, input.actor(request)
        )
    if created is None:
        raise ApiError(
            409, f"user {teacher_id} already has a participation on {body['webinar_date']}"
        )
    return JSONResponse(jsonable(created), status_code=201)


UPDATE_PARTICIPATION = Operation(
    "Set whether the teacher took part",
    WEBINARS,
    ok(Participation, "The participation"),
    errors=(400, 404, 413, 422),
    path=ById,
    body=ParticipationPatch,
)


async def update_participation(request: Request) -> JSONResponse:
    """`{"participated": true|false|null}` (null = not yet known)."""
    participation_id = input.path_id(request, "participation")
    participated = parse(ParticipationPatch, await input.json_body(request)).participated
    async with runtime(request).pool.acquire() as conn:
        updated = await participations.set_participated(
            conn, participation_id, participated, input.actor(request)
        )
    if updated is None:
        raise ApiError(404, f"no such participation: {participation_id}")
    return JSONResponse(jsonable(updated))
