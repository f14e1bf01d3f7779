"""A route of the API with its operation: what /openapi.json says about it.

Each handler's module declares its operations beside the handlers (summary, tag, the models
of its path, query and body, its answers); `service.api.document` walks the route table and
writes the document from them, so a route without an operation cannot be served unnoticed
(tests/unit/test_openapi_coverage.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from starlette.routing import Route

JSON = "application/json"


@dataclass(frozen=True)
class Answer:
    """One answer: a JSON `model`, or a `media` type whose body is text (CSV, metrics)."""

    description: str
    model: type[BaseModel] | None = None
    media: str = JSON


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    answers: Mapping[int, Answer]
    errors: tuple[int, ...] = ()  # statuses answered with the error document
    path: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    public: bool = False  # no bearer token needed (health, metrics, signed webhooks)


class ApiRoute(Route):
    """A Starlette route for one method, carrying its operation."""

    def __init__(
        self, path: str, endpoint: Callable[..., Any], method: str, operation: Operation
    ) -> None:
        super().__init__(path, endpoint, methods=[method])
        self.method = method
        self.operation = operation


def ok(model: type[BaseModel], description: str = "OK", status: int = 200) -> dict[int, Answer]:
    return {status: Answer(description, model)}


CSV = {200: Answer("CSV (UTF-8 with BOM, `;`, CRLF, every cell quoted)", media="text/csv")}

WEBINARS = "info-webinars"
COURSES = "courses"
ATTENDANCE = "attendance"
ANALYTICS = "analytics"
OPS = "ops"
HEALTH = "health"
WEBHOOKS = "webhooks"
TAGS = (WEBINARS, COURSES, ATTENDANCE, ANALYTICS, OPS, HEALTH, WEBHOOKS)
