"""/openapi.json is written from the route table: every route the API serves is in it, with the
same methods and path parameters, and nothing else is; its schemas are well-formed."""

from __future__ import annotations

import re

from starlette.routing import Route

from service.api.document import document
from service.app import routes
from service.ui.routes import routes as ui_routes
from service.webhooks.endpoints import RECEIVERS


def _served() -> set[tuple[str, str]]:
    served = set()
    ui_paths = {getattr(route, "path", None) for route in ui_routes()}
    for route in routes():
        if getattr(route, "path", None) in ui_paths:
            continue  # the web UI's HTML pages (CONTRACT §6) are not part of the JSON API
        assert isinstance(route, Route)
        for method in route.methods or ():
            if method != "HEAD":
                served.add((route.path, method.lower()))
    # The webhooks are answered by their own ASGI path, before the router.
    return served | {(path, "post") for path in RECEIVERS}


def _documented() -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, operations in document(routes())["paths"].items()
        for method in operations
    }


def test_the_document_describes_exactly_the_served_routes() -> None:
    served = _served() - {("/openapi.json", "get")}
    documented = _documented()
    assert sorted(served - documented) == [], "served but not documented"
    assert sorted(documented - served) == [], "documented but not served"


def test_every_path_parameter_is_described_and_only_those() -> None:
    for path, operations in document(routes())["paths"].items():
        for method, operation in operations.items():
            described = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert described == set(re.findall(r"{(\w+)}", path)), (method, path)


def test_every_reference_resolves_and_every_operation_has_an_answer() -> None:
    text = str(document(routes()))
    schemas = document(routes())["components"]["schemas"]
    for name in re.findall(r"#/components/schemas/([\w.-]+)", text):
        assert name in schemas, name
    for operations in document(routes())["paths"].values():
        for operation in operations.values():
            assert any(code.startswith("2") for code in operation["responses"]), operation
