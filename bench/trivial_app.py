"""The HTTP stack's ceiling: Starlette reading the body and answering 202, on the same uvicorn.

.venv/bin/python -m bench.trivial_app PORT      (bench/ingress.py runs it)
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def accept(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"status": "accepted", "id": "1"}, status_code=202)


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/webhooks/calendly", accept, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
)

if __name__ == "__main__":
    # The same call as `service.cli.processes.run_api`.
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False)
