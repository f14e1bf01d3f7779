"""GET /api/v1/notifications: what went wrong that a person should see."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.api.pagination import page, page_params
from service.api.runtime import runtime
from service.api.serialize import jsonable


async def list_notifications(request: Request) -> JSONResponse:
    cursor, limit = page_params(request)
    async with runtime(request).pool.acquire() as conn:
        rows = await conn.fetch(
            """
            SELECT id, kind, severity, subject, message, details, created_at
              FROM notifications
             WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR kind = $2)
             ORDER BY id DESC LIMIT $3
            """,
            cursor,
            request.query_params.get("kind"),
            limit + 1,
        )
    return JSONResponse(page([jsonable(dict(r)) for r in rows], limit))
