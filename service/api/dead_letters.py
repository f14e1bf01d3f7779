"""`/api/v1/ops/dead-letters`: read, replay and discard what workers gave up on (CONTRACT §5).

Replaying a letter twice changes nothing the second time: a letter that is no longer
open answers 409 and says when it was resolved; a bulk replay only ever picks open
letters, so repeating it reports zero replays.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute

from service.adapters import dead_letters
from service.adapters.dead_letters import AlreadyResolved, NotFound
from service.api.auth import Principal
from service.api.models.queries import DeadLettersQuery
from service.api.models.requests import ById, Discard, DryRun, ReplayFilter
from service.api.models.resources import DeadLetter, Open, Page
from service.api.operation import OPS, ApiRoute, Operation, ok
from service.api.pagination import page
from service.http import input
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.http.serialize import jsonable
from service.http.validation import parse_query
from service.services import dead_letter_actions

ALL_OR_A_FILTER = (
    'give a filter (source, type, error, since, queue), or "all": true for every letter'
)


def _actor(request: Request) -> str:
    principal: Principal = request.scope["state"]["principal"]
    return principal.name


LIST_DEAD_LETTERS = Operation(
    "Dead letters", OPS, ok(Page[DeadLetter], "Dead letters"), errors=(422,), query=DeadLettersQuery
)


async def list_dead_letters(request: Request) -> JSONResponse:
    """`?source=&type=&error=&since=&queue=&status=open|replayed|discarded|any&cursor=&limit=`."""
    wanted = parse_query(DeadLettersQuery, request.query_params)
    where = wanted.listed()
    cursor, limit = wanted.page()
    async with runtime(request).pool.acquire() as conn:
        items = await dead_letters.list_letters(conn, where, before_id=cursor, limit=limit + 1)
    return JSONResponse(jsonable(page(items, limit)))


SHOW_DEAD_LETTER = Operation(
    "One dead letter", OPS, ok(DeadLetter, "The dead letter"), errors=(404,), path=ById
)


async def show_dead_letter(request: Request) -> JSONResponse:
    async with runtime(request).pool.acquire() as conn:
        try:
            letter = await dead_letters.get_letter(conn, input.path_id(request, "dead letter"))
        except NotFound as error:
            raise ApiError(404, str(error)) from None
    return JSONResponse(jsonable(letter))


REPLAY_DEAD_LETTER = Operation(
    "Replay one", OPS, ok(Open, "Result"), errors=(400, 404, 409, 413, 422), path=ById
)


async def replay_dead_letter(request: Request) -> JSONResponse:
    dry_run = parse_query(DryRun, await input.optional_json_object(request)).dry_run
    try:
        outcome = await dead_letter_actions.replay_one(
            runtime(request),
            input.path_id(request, "dead letter"),
            _actor(request),
            dry_run=dry_run,
        )
    except NotFound as error:
        raise ApiError(404, str(error)) from None
    except AlreadyResolved as error:
        raise ApiError(409, str(error), [{"status": error.status}]) from None
    return JSONResponse({"dry_run": dry_run, **outcome.as_json()})


REPLAY_DEAD_LETTERS = Operation(
    "Replay dead letters by filter (`dry_run` to preview)",
    OPS,
    ok(Open, "Result"),
    errors=(400, 413, 422),
    body=ReplayFilter,
)


async def replay_dead_letters(request: Request) -> JSONResponse:
    """Body: `{"source", "type", "error", "since", "queue", "all", "dry_run"}`.

    An empty filter must say `"all": true`, so a forgotten field never replays everything.
    """
    wanted = parse_query(ReplayFilter, await input.optional_json_object(request))
    where, dry_run = wanted.filter(), wanted.dry_run
    if where.is_empty() and not wanted.all:
        raise ApiError(
            422,
            "invalid all",
            [{"field": "all", "problem": ALL_OR_A_FILTER}],
        )
    outcomes = await dead_letter_actions.replay_matching(
        runtime(request), where, _actor(request), dry_run=dry_run
    )
    return JSONResponse(dead_letter_actions.summary(outcomes, dry_run=dry_run))


DISCARD_DEAD_LETTER = Operation(
    "Discard one, with a reason (kept in the audit)",
    OPS,
    ok(Open, "Result"),
    errors=(400, 404, 409, 413, 422),
    path=ById,
    body=Discard,
)


async def discard_dead_letter(request: Request) -> JSONResponse:
    """Body: `{"reason": "…"}` (required: the audit must say why)."""
    reason = parse_query(Discard, await input.optional_json_object(request)).reason
    try:
        letter = await dead_letter_actions.discard(
            runtime(request), input.path_id(request, "dead letter"), _actor(request), reason
        )
    except NotFound as error:
        raise ApiError(404, str(error)) from None
    except AlreadyResolved as error:
        raise ApiError(409, str(error), [{"status": error.status}]) from None
    return JSONResponse(jsonable(letter))


def routes() -> list[BaseRoute]:
    base = "/api/v1/ops/dead-letters"
    return [
        ApiRoute(base, list_dead_letters, "GET", LIST_DEAD_LETTERS),
        ApiRoute(f"{base}/replay", replay_dead_letters, "POST", REPLAY_DEAD_LETTERS),
        ApiRoute(f"{base}/{{id}}", show_dead_letter, "GET", SHOW_DEAD_LETTER),
        ApiRoute(f"{base}/{{id}}/replay", replay_dead_letter, "POST", REPLAY_DEAD_LETTER),
        ApiRoute(f"{base}/{{id}}/discard", discard_dead_letter, "POST", DISCARD_DEAD_LETTER),
    ]
