"""Teachers for admins: search (to link an attendee) and one user with the pipeline status."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.adapters import user_reads
from service.api.models.queries import UserSearchQuery
from service.api.models.requests import ByUserId
from service.api.models.resources import Page, User
from service.api.operation import WEBINARS, Operation, ok
from service.domain.users import search_key
from service.http import input, keyset
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.http.serialize import jsonable
from service.http.validation import parse_query

SEARCH_USERS = Operation(
    "Users by case- and accent-insensitive prefix of a name word or the email",
    WEBINARS,
    ok(Page[User], "Users"),
    errors=(422,),
    query=UserSearchQuery,
)


async def search_users(request: Request) -> JSONResponse:
    """`?query=` — case- and accent-insensitive prefix of any name word or of the email."""
    wanted = parse_query(UserSearchQuery, request.query_params)
    limit = wanted.limit
    cursor = keyset.decode(wanted.cursor, 2)
    after = (str(cursor[0]), str(cursor[1])) if cursor else None
    async with runtime(request).pool.acquire() as conn:
        rows = await user_reads.search(conn, search_key(wanted.query), after, limit + 1)
    more = len(rows) > limit
    items = rows[:limit]
    next_cursor = keyset.encode(items[-1]["search_key"], items[-1]["id"]) if more else None
    for item in items:
        del item["search_key"]
    return JSONResponse({"items": jsonable(items), "next_cursor": next_cursor})


GET_USER = Operation(
    "One user with the pipeline status name",
    WEBINARS,
    ok(User, "The user"),
    errors=(404,),
    path=ByUserId,
)


async def get_user(request: Request) -> JSONResponse:
    user_id = request.path_params["id"]
    if not input.storable(user_id):
        raise ApiError(404, f"no such user: {user_id!r}")
    async with runtime(request).pool.acquire() as conn:
        user = await user_reads.load(conn, user_id)
    if user is None:
        raise ApiError(404, f"no such user: {user_id}")
    return JSONResponse(jsonable(user))
