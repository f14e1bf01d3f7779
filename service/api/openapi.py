"""GET /openapi.json (placeholder until the document is written)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse


async def openapi_document(_request: Request) -> JSONResponse:
    return JSONResponse({})
