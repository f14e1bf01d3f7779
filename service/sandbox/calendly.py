"""The sandbox Calendly: a stateful fake of Calendly's v2 REST API and webhook deliverer.

REST endpoints (`calendly_rest`) behave like api.calendly.com for what this service uses;
`/_sandbox/*` (`calendly_control`) lets tests and `webinar-sync up` book, cancel and
reschedule invitees, inject faults and read what was requested and delivered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette

from service.sandbox import calendly_control, calendly_no_shows, calendly_rest
from service.sandbox.calendly_context import CalendlySandboxSettings, Sandbox
from service.sandbox.calendly_delivery import DELIVERY_TIMEOUT

__all__ = ["CalendlySandboxSettings", "create_app"]


def create_app(settings: CalendlySandboxSettings | None = None) -> Starlette:
    sandbox = Sandbox(settings or CalendlySandboxSettings())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=DELIVERY_TIMEOUT) as http:
            sandbox.deliverer.http = http
            try:
                yield
            finally:
                sandbox.deliverer.http = None

    app = Starlette(
        routes=[*calendly_rest.ROUTES, *calendly_no_shows.ROUTES, *calendly_control.ROUTES],
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app
