"""The ops reads under `/api/v1/ops/*`: integration log, inbox, reconciliation runs.

All are keyset-paginated newest first (`{"items", "next_cursor"}`) and filterable by the
fields ops ask about during an incident: which vendor, which answer, which course or
booking caused a call, since when.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute

from service.adapters import inbox_reads, integration_log, reconcile_runs
from service.api import dead_letters
from service.api.models.queries import InboxQuery, IntegrationLogQuery, ReconcileRunsQuery
from service.api.models.requests import ById
from service.api.models.resources import Open, Page
from service.api.operation import OPS, ApiRoute, Operation, ok
from service.api.pagination import page
from service.http import input
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.http.serialize import jsonable
from service.http.validation import parse_query

LIST_INTEGRATION_LOG = Operation(
    "Every outbound vendor call",
    OPS,
    ok(Page[Open], "Calls"),
    errors=(422,),
    query=IntegrationLogQuery,
)


async def list_integration_log(request: Request) -> JSONResponse:
    """`?system=zoom|calendly&status=&course_id=&booking_id=&since=&cursor=&limit=`."""
    wanted = parse_query(IntegrationLogQuery, request.query_params)
    cursor, limit = wanted.page()
    async with runtime(request).pool.acquire() as conn:
        rows = await integration_log.list_calls(
            conn, wanted.filter(), before_id=cursor, limit=limit + 1
        )
    return JSONResponse(jsonable(page(rows, limit)))


LIST_INBOX = Operation(
    "Received events", OPS, ok(Page[Open], "Inbox"), errors=(422,), query=InboxQuery
)


async def list_inbox(request: Request) -> JSONResponse:
    """`?status=pending|done|ignored|dead&source=&type=&cursor=&limit=` (payloads: see `/{id}`)."""
    wanted = parse_query(InboxQuery, request.query_params)
    cursor, limit = wanted.page()
    async with runtime(request).pool.acquire() as conn:
        rows = await inbox_reads.inbox_items(
            conn,
            status=wanted.status,
            source=wanted.source,
            event_type=wanted.type,
            before_id=cursor,
            limit=limit + 1,
        )
    return JSONResponse(jsonable(page(rows, limit)))


SHOW_INBOX_ITEM = Operation(
    "One received event with its payload", OPS, ok(Open, "The event"), errors=(404,), path=ById
)


async def show_inbox_item(request: Request) -> JSONResponse:
    async with runtime(request).pool.acquire() as conn:
        row = await inbox_reads.inbox_item(conn, input.path_id(request, "inbox item"))
    if row is None:
        raise ApiError(404, f"no inbox item {request.path_params['id']}")
    return JSONResponse(jsonable(row))


LIST_RECONCILE_RUNS = Operation(
    "Reconciliation runs with their drift counts",
    OPS,
    ok(Page[Open], "Runs"),
    errors=(422,),
    query=ReconcileRunsQuery,
)


async def list_reconcile_runs(request: Request) -> JSONResponse:
    """`?kind=calendly|zoom&cursor=&limit=`; each with its drift counts (report: see `/{id}`)."""
    wanted = parse_query(ReconcileRunsQuery, request.query_params)
    cursor, limit = wanted.page()
    async with runtime(request).pool.acquire() as conn:
        rows = await reconcile_runs.list_runs(
            conn,
            kind=wanted.kind,
            before_id=cursor,
            limit=limit + 1,
        )
    return JSONResponse(jsonable(page(rows, limit)))


SHOW_RECONCILE_RUN = Operation(
    "One run with its report (one entry per drifted object)",
    OPS,
    ok(Open, "The run"),
    errors=(404,),
    path=ById,
)


async def show_reconcile_run(request: Request) -> JSONResponse:
    async with runtime(request).pool.acquire() as conn:
        row = await reconcile_runs.load_run(conn, input.path_id(request, "reconcile run"))
    if row is None:
        raise ApiError(404, f"no reconcile run {request.path_params['id']}")
    return JSONResponse(jsonable(row))


def routes() -> list[BaseRoute]:
    return [
        *dead_letters.routes(),
        ApiRoute("/api/v1/ops/integration-log", list_integration_log, "GET", LIST_INTEGRATION_LOG),
        ApiRoute("/api/v1/ops/inbox", list_inbox, "GET", LIST_INBOX),
        ApiRoute("/api/v1/ops/inbox/{id}", show_inbox_item, "GET", SHOW_INBOX_ITEM),
        ApiRoute("/api/v1/ops/reconcile-runs", list_reconcile_runs, "GET", LIST_RECONCILE_RUNS),
        ApiRoute("/api/v1/ops/reconcile-runs/{id}", show_reconcile_run, "GET", SHOW_RECONCILE_RUN),
    ]
