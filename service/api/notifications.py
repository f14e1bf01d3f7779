"""GET /api/v1/notifications: what went wrong that a person should see."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.adapters import notifications
from service.api.models.queries import NotificationsQuery
from service.api.models.resources import Open, Page
from service.api.operation import OPS, Operation, ok
from service.api.pagination import page
from service.http.runtime import runtime
from service.http.serialize import jsonable
from service.http.validation import parse_query

LIST_NOTIFICATIONS = Operation(
    "What a person should see",
    OPS,
    ok(Page[Open], "Notifications"),
    errors=(422,),
    query=NotificationsQuery,
)


async def list_notifications(request: Request) -> JSONResponse:
    wanted = parse_query(NotificationsQuery, request.query_params)
    cursor, limit = wanted.page()
    async with runtime(request).pool.acquire() as conn:
        rows = await notifications.list_recent(
            conn, kind=wanted.kind, before_id=cursor, limit=limit + 1
        )
    return JSONResponse(page([jsonable(r) for r in rows], limit))
