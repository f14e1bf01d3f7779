"""The API process's app and composition root: webhooks, the admin / ops API, the web UI, health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from service.adapters.broker import Courier, create_broker
from service.adapters.postgres import create_pool
from service.adapters.redis_client import create_redis
from service.api import calendly_zoom, courses, health, metrics, notifications
from service.api.attendance import routes as attendance_routes
from service.api.auth import BearerAuthMiddleware
from service.api.document import openapi_document
from service.api.operation import ApiRoute
from service.api.ops import routes as ops_routes
from service.api.webinar_routes import routes as webinar_routes
from service.config import Settings, load_settings
from service.http.body_deadline import BodyDeadlineMiddleware
from service.http.errors import EXCEPTION_HANDLERS
from service.http.inbox_writer import COMMITTERS, InboxWriter
from service.http.ingress_metrics import IngressMetricsMiddleware
from service.http.request_id import RequestIdMiddleware
from service.http.runtime import ApiRuntime
from service.http.token_cache import TokenCache
from service.logs import configure_logging
from service.ui.guard import UiGuardMiddleware
from service.ui.routes import routes as ui_routes
from service.webhooks.endpoints import WebhookEndpoints

INGRESS_CONNECTIONS = COMMITTERS + 1  # each committer holds one; one spare for a reconnect


def routes() -> list[BaseRoute]:
    v1 = "/api/v1"
    return [
        ApiRoute("/healthz", health.healthz, "GET", health.HEALTHZ),
        ApiRoute("/readyz", health.readyz, "GET", health.READYZ),
        ApiRoute("/metrics", metrics.metrics, "GET", metrics.METRICS),
        Route("/openapi.json", openapi_document, methods=["GET"]),
        ApiRoute(
            f"{v1}/notifications",
            notifications.list_notifications,
            "GET",
            notifications.LIST_NOTIFICATIONS,
        ),
        *webinar_routes(),
        ApiRoute(f"{v1}/courses", courses.list_courses, "GET", courses.LIST_COURSES),
        ApiRoute(f"{v1}/courses/{{course_id}}", courses.get_course, "GET", courses.GET_COURSE),
        ApiRoute(
            f"{v1}/courses/{{course_id}}/zoom/sync",
            courses.sync_course,
            "POST",
            courses.SYNC_COURSE,
        ),
        ApiRoute(
            f"{v1}/calendly/event-types/{{uuid}}/zoom",
            calendly_zoom.put_event_type_zoom,
            "PUT",
            calendly_zoom.PUT_EVENT_TYPE_ZOOM,
        ),
        *attendance_routes(),
        *ops_routes(),
        *ui_routes(),
    ]


def create_app(settings: Settings) -> Starlette:
    database_url, redis_url = settings.require_services()

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[dict[str, Any]]:
        # min_size=0: the API comes up without Postgres and reports itself not ready.
        pool = await create_pool(database_url, min_size=0, max_size=18)
        # Ingress commits through connections of its own: admin, ops, health and metrics
        # traffic can exhaust the main pool without delaying a single webhook.
        ingress_pool = await create_pool(database_url, min_size=0, max_size=INGRESS_CONNECTIONS)
        redis = create_redis(redis_url)
        broker = create_broker(redis_url, settings.redis_key_prefix)
        courier = Courier(broker)
        inbox = InboxWriter(ingress_pool, courier)
        inbox.start()
        runtime = ApiRuntime(
            settings=settings,
            pool=pool,
            redis=redis,
            courier=courier,
            inbox=inbox,
            tokens=TokenCache(pool),
        )
        try:
            yield {"runtime": runtime}
        finally:
            await inbox.stop()
            await ingress_pool.close()
            await pool.close()
            await redis.aclose()
            broker.close()

    return Starlette(
        routes=routes(),
        middleware=[
            # answers the webhook routes (with their request id, body deadline, metrics)
            Middleware(WebhookEndpoints, body_seconds=settings.request_body_timeout_seconds),
            Middleware(RequestIdMiddleware),
            Middleware(BodyDeadlineMiddleware, seconds=settings.request_body_timeout_seconds),
            Middleware(IngressMetricsMiddleware),
            Middleware(BearerAuthMiddleware),
            Middleware(UiGuardMiddleware),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )


def create_app_from_environment() -> Starlette:
    """For uvicorn's factory mode: each API process reads the same environment."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
