"""GET /openapi.json: an OpenAPI 3.1 description of the admin, ops and ingress API (no token).

Written by hand from CONTRACT §3 and §5 rather than generated from handlers: the contract is
the source of truth, and the schemathesis test (tests/integration/test_openapi_schemathesis.py)
checks the running API against this document, so the two cannot drift apart unnoticed.
The info-webinar part is exact (every status and shape); courses and ops are described with
their fixed field names and left open (`additionalProperties`) where their owners add fields.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.api.openapi.attendance import SCHEMAS as ATTENDANCE_SCHEMAS
from service.api.openapi.attendance import attendance_paths
from service.api.openapi.courses_ops import courses_ops_paths
from service.api.openapi.parts import Schema
from service.api.openapi.schemas import SCHEMAS
from service.api.openapi.webinars import WEBINARS, webinar_paths


def document() -> Schema:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "webinar-sync",
            "version": "1",
            "description": "Admin and ops API (CONTRACT §5) and ingress webhooks (§3). "
            "Errors are {error: {code, message, details}}.",
        },
        "security": [{"bearer": []}],
        "tags": [
            {"name": name}
            for name in (
                WEBINARS,
                "courses",
                "attendance",
                "analytics",
                "ops",
                "health",
                "webhooks",
            )
        ],
        "paths": {**webinar_paths(), **courses_ops_paths(), **attendance_paths()},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**SCHEMAS, **ATTENDANCE_SCHEMAS},
        },
    }


_DOCUMENT = document()


async def openapi_document(_request: Request) -> JSONResponse:
    return JSONResponse(_DOCUMENT)
