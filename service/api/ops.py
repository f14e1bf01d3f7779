"""The ops reads under `/api/v1/ops/*`: integration log, inbox, reconciliation runs.

All are keyset-paginated newest first (`{"items", "next_cursor"}`) and filterable by the
fields ops ask about during an incident: which vendor, which answer, which course or
booking caused a call, since when.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from service.adapters import integration_log
from service.api import dead_letters, query
from service.api.pagination import page, page_params
from service.domain.numbers import ascii_int
from service.http import input
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.http.serialize import jsonable

SYSTEMS = ("zoom", "calendly")
INBOX_STATUSES = ("pending", "done", "ignored", "dead")
INBOX_SOURCES = ("calendly", "booking", "zoom")
RECONCILE_KINDS = ("calendly", "zoom")


def _status_filter(raw: str | None) -> tuple[int | None, int | None, bool]:
    """`429` (exact), `4xx` (class), `none` (no answer: timeout, connection error)."""
    if raw is None:
        return None, None, False
    exact = ascii_int(raw, max_digits=3)
    if exact is not None and len(raw) == 3:
        return exact, None, False
    if len(raw) == 3 and raw[0] in "12345" and raw[1:].lower() == "xx":
        return None, int(raw[0]), False
    if raw == "none":
        return None, None, True
    raise query.invalid("status", "expected an HTTP status (429), a class (4xx) or none")


async def list_integration_log(request: Request) -> JSONResponse:
    """`?system=zoom|calendly&status=&course_id=&booking_id=&since=&cursor=&limit=`."""
    cursor, limit = page_params(request)
    async with runtime(request).pool.acquire() as conn:
        rows = await integration_log.list_calls(
            conn, log_filter(request.query_params), before_id=cursor, limit=limit + 1
        )
    return JSONResponse(jsonable(page(rows, limit)))


def log_filter(params: Mapping[str, Any]) -> integration_log.LogFilter:
    """The integration log's filters as the API and the UI take them."""
    exact, status_class, no_answer = _status_filter(query.text(params, "status"))
    return integration_log.LogFilter(
        system=query.choice(params, "system", SYSTEMS),
        status=exact,
        status_class=status_class,
        no_answer=no_answer,
        course_id=query.text(params, "course_id"),
        booking_id=query.text(params, "booking_id"),
        since=query.moment(params, "since"),
    )


_INBOX_COLUMNS = """
id, source, event_type, dedupe_key, status, attempts, last_error, not_before, received_at,
enqueued_at, processed_at
"""


async def list_inbox(request: Request) -> JSONResponse:
    """`?status=pending|done|ignored|dead&source=&type=&cursor=&limit=` (payloads: see `/{id}`)."""
    params = request.query_params
    cursor, limit = page_params(request)
    async with runtime(request).pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT {_INBOX_COLUMNS} FROM inbox "  # noqa: S608 - constant SQL
            """
             WHERE ($1::text IS NULL OR status = $1)
               AND ($2::text IS NULL OR source = $2)
               AND ($3::text IS NULL OR event_type = $3)
               AND ($4::bigint IS NULL OR id < $4)
             ORDER BY id DESC LIMIT $5
            """,
            query.choice(params, "status", INBOX_STATUSES),
            query.choice(params, "source", INBOX_SOURCES),
            query.text(params, "type"),
            cursor,
            limit + 1,
        )
    return JSONResponse(jsonable(page([dict(r) for r in rows], limit)))


async def show_inbox_item(request: Request) -> JSONResponse:
    async with runtime(request).pool.acquire() as conn:
        row = await conn.fetchrow(
            f"SELECT {_INBOX_COLUMNS}, payload FROM inbox WHERE id = $1",  # noqa: S608
            input.path_id(request, "inbox item"),
        )
    if row is None:
        raise ApiError(404, f"no inbox item {request.path_params['id']}")
    return JSONResponse(jsonable(dict(row)))


def _run(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "status": row["status"],
        "drift": row["drift"],
        "error": row["error"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
    }


async def list_reconcile_runs(request: Request) -> JSONResponse:
    """`?kind=calendly|zoom&cursor=&limit=`; each with its drift counts (report: see `/{id}`)."""
    cursor, limit = page_params(request)
    async with runtime(request).pool.acquire() as conn:
        rows = await conn.fetch(
            """
            SELECT id, kind, status, drift, error, started_at, finished_at,
                   jsonb_array_length(report) AS report_entries
              FROM reconcile_runs
             WHERE ($1::text IS NULL OR kind = $1) AND ($2::bigint IS NULL OR id < $2)
             ORDER BY id DESC LIMIT $3
            """,
            query.choice(request.query_params, "kind", RECONCILE_KINDS),
            cursor,
            limit + 1,
        )
    items = [{**_run(r), "report_entries": r["report_entries"]} for r in rows]
    return JSONResponse(jsonable(page(items, limit)))


async def show_reconcile_run(request: Request) -> JSONResponse:
    async with runtime(request).pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT * FROM reconcile_runs WHERE id = $1",
            input.path_id(request, "reconcile run"),
        )
    if row is None:
        raise ApiError(404, f"no reconcile run {request.path_params['id']}")
    return JSONResponse(jsonable({**_run(row), "report": row["report"]}))


def routes() -> list[BaseRoute]:
    return [
        *dead_letters.routes(),
        Route("/api/v1/ops/integration-log", list_integration_log, methods=["GET"]),
        Route("/api/v1/ops/inbox", list_inbox, methods=["GET"]),
        Route("/api/v1/ops/inbox/{id}", show_inbox_item, methods=["GET"]),
        Route("/api/v1/ops/reconcile-runs", list_reconcile_runs, methods=["GET"]),
        Route("/api/v1/ops/reconcile-runs/{id}", show_reconcile_run, methods=["GET"]),
    ]
