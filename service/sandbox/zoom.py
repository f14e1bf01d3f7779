"""The sandbox Zoom: a stateful fake of Zoom's REST API, served over real HTTP.

``webinar-sync up`` serves it when no Zoom credentials are set; integration tests and benchmarks
serve it to see what the service did in "Zoom". It follows /work/shared/reference/zoom-facts.md:
S2S OAuth, meetings and registrants, per-second and daily rate limits, Zoom's error shapes, and it
validates requests against Zoom's own OpenAPI schemas. ``/_sandbox/*`` is its control API.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route

from service.sandbox.zoom_api import api_routes
from service.sandbox.zoom_control import CONTROL_ROUTES
from service.sandbox.zoom_oauth import token_endpoint
from service.sandbox.zoom_runtime import ZoomSandbox
from service.sandbox.zoom_settings import ZoomSandboxSettings
from service.sandbox.zoom_validation import default_validator

__all__ = ["ZoomSandboxSettings", "create_app"]


def create_app(settings: ZoomSandboxSettings | None = None) -> Starlette:
    """A fresh sandbox; ``app.state.sandbox`` is its in-memory state."""
    sandbox = ZoomSandbox(settings or ZoomSandboxSettings())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # A lock belongs to one event loop; each time the app is served it runs in a new one.
        sandbox.lock = asyncio.Lock()
        yield

    routes = [
        Route("/oauth/token", token_endpoint, methods=["POST"]),
        *api_routes(default_validator()),
        *CONTROL_ROUTES,
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sandbox = sandbox
    return app
