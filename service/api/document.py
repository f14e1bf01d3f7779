"""GET /openapi.json: written from the route table and the models (no token needed).

Every `ApiRoute` is one operation; its models' JSON schemas (pydantic's, in the mode they are
used: bodies as validated, answers as serialized) are the components. Titles and defaults are
left out: names are the component keys, and a default is not a promise the API makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute

from service.api import ingress_operations
from service.api.models.resources import Error
from service.api.operation import JSON, ApiRoute, Operation

TAGS = ("info-webinars", "courses", "attendance", "analytics", "ops", "health", "webhooks")
REF = "#/components/schemas/{model}"
Mode = Literal["validation", "serialization"]
Schema = dict[str, Any]

ERRORS = {
    400: "Malformed: the body is not JSON",
    401: "No valid bearer token",
    403: "The token's role may not do this",
    404: "Not found",
    409: "Conflicts with what is stored",
    413: "Body too large",
    422: "Invalid input; `details` lists every problem as {field, problem}",
    503: "A dependency is unavailable; try again",
}


class _Plain(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])


def document(routes: Sequence[BaseRoute]) -> Schema:
    operations = [
        *(
            (route.path, route.method, route.operation)
            for route in routes
            if isinstance(route, ApiRoute)
        ),
        *((path, "POST", operation) for path, operation in ingress_operations.POSTS.items()),
    ]
    used: dict[tuple[type[BaseModel], Mode], None] = {(Error, "serialization"): None}
    for _, _, operation in operations:
        for answer in operation.answers.values():
            if answer.model is not None:
                used[(answer.model, "serialization")] = None
        if operation.body is not None:
            used[(operation.body, "validation")] = None
    refs, components = models_json_schema(list(used), ref_template=REF, schema_generator=_Plain)
    paths: dict[str, Schema] = {}
    for path, method, operation in operations:
        paths.setdefault(path, {})[method.lower()] = _operation(operation, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "webinar-sync",
            "version": "1",
            "description": "Admin and ops API (CONTRACT §5) and ingress webhooks (§3). "
            "Errors are {error: {code, message, details}}.",
        },
        "security": [{"bearer": []}],
        "tags": [{"name": name} for name in TAGS],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": components.get("$defs", {}),
        },
    }


def _operation(operation: Operation, refs: dict[Any, JsonSchemaValue]) -> Schema:
    error = {JSON: {"schema": refs[(Error, "serialization")]}}
    answers = {
        status: {
            "description": answer.description,
            "content": {
                answer.media: {
                    "schema": refs[(answer.model, "serialization")]
                    if answer.model is not None
                    else {"type": "string"}
                }
            },
        }
        for status, answer in operation.answers.items()
    }
    refused = (*operation.errors, *(() if operation.public else (401, 403)))
    answers.update(
        {status: {"description": ERRORS[status], "content": error} for status in refused}
    )
    described: Schema = {
        "summary": operation.summary,
        "tags": [operation.tag],
        "responses": {str(status): answers[status] for status in sorted(answers)},
    }
    parameters = [
        *_parameters(operation.path, "path"),
        *_parameters(operation.query, "query"),
    ]
    if parameters:
        described["parameters"] = parameters
    if operation.body is not None:
        described["requestBody"] = {
            "required": True,
            "content": {JSON: {"schema": refs[(operation.body, "validation")]}},
        }
    if operation.public:
        described["security"] = []
    return described


def _parameters(model: type[BaseModel] | None, where: str) -> list[Schema]:
    if model is None:
        return []
    schema = model.model_json_schema(schema_generator=_Plain, ref_template=REF)
    schema = _inlined(schema, schema.pop("$defs", {}))
    required = set(schema.get("required", ()))
    parameters = []
    for name, property_schema in schema["properties"].items():
        description = property_schema.pop("description", None)
        parameter: Schema = {
            "name": name,
            "in": where,
            "required": name in required or where == "path",
            "schema": _present(property_schema),
        }
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _inlined(schema: Any, defs: Schema) -> Any:
    """A parameter's schema with its enums written out: parameters have no components."""
    if isinstance(schema, dict):
        named = defs.get(str(schema.get("$ref", "")).rsplit("/", 1)[-1], {})
        merged = {**named, **{key: value for key, value in schema.items() if key != "$ref"}}
        return {key: _inlined(value, defs) for key, value in merged.items()}
    if isinstance(schema, list):
        return [_inlined(item, defs) for item in schema]
    return schema


def _present(schema: Schema) -> Schema:
    """A parameter is absent or has a value: a model's `X | None` is just X here."""
    branches = [b for b in schema.get("anyOf", ()) if b.get("type") != "null"]
    return branches[0] if len(branches) == 1 else schema


async def openapi_document(request: Request) -> JSONResponse:
    """Written once per app, on first request, from the app's own route table."""
    state = request.app.state
    if getattr(state, "openapi", None) is None:
        state.openapi = document(request.app.routes)
    return JSONResponse(state.openapi)
