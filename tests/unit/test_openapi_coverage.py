"""Every route the API serves is in /openapi.json, with the same methods, and nothing else is."""

from __future__ import annotations

from starlette.routing import Route

from service.api.openapi import document
from service.app import create_app
from service.config import load_settings
from service.ui.routes import routes as ui_routes
from service.webhooks.endpoints import RECEIVERS


def _served() -> set[tuple[str, str]]:
    settings = load_settings({"DATABASE_URL": "postgresql://db/x", "REDIS_URL": "redis://r:6379"})
    app = create_app(settings)  # routes only: the lifespan (and so no connection) never runs
    served = set()
    ui_paths = {getattr(route, "path", None) for route in ui_routes()}
    for route in app.routes:
        if getattr(route, "path", None) in ui_paths:
            continue  # the web UI's HTML pages (CONTRACT §6) are not part of the JSON API
        assert isinstance(route, Route)
        for method in route.methods or ():
            if method != "HEAD":
                served.add((route.path, method.lower()))
    # The webhooks are answered by their own ASGI path, before the router.
    return served | {(path, "post") for path in RECEIVERS}


def test_the_document_describes_exactly_the_served_routes() -> None:
    documented = {
        (path, method) for path, operations in document()["paths"].items() for method in operations
    }
    served = _served() - {("/openapi.json", "get")}
    assert sorted(served - documented) == [], "served but not documented"
    assert sorted(documented - served) == [], "documented but not served"
