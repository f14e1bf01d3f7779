"""The building blocks of /openapi.json: schema and operation helpers, shared parameters."""

from __future__ import annotations

from typing import Any

JSON = "application/json"
Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(required: list[str], properties: dict[str, Schema], *, closed: bool = False) -> Schema:
    schema: Schema = {"type": "object", "required": required, "properties": properties}
    if closed:
        schema["additionalProperties"] = False
    return schema


def list_of(item: Schema) -> Schema:
    return obj(
        ["items", "next_cursor"],
        {"items": {"type": "array", "items": item}, "next_cursor": nullable({"type": "string"})},
    )


TIME = {"type": "string", "format": "date-time"}
TEXT = {"type": "string"}
INT = {"type": "integer"}
TRI_STATE = {"type": ["boolean", "null"]}

_ERRORS = {
    400: "Malformed: the body is not JSON",
    401: "No valid bearer token",
    403: "The token's role may not do this",
    404: "Not found",
    409: "Conflicts with what is stored",
    413: "Body too large",
    422: "Invalid input; `details` lists every problem as {field, problem}",
    503: "A dependency is unavailable; try again",
}


def _error(status: int) -> Schema:
    return {"description": _ERRORS[status], "content": {JSON: {"schema": ref("Error")}}}


def ok(description: str, schema: Schema, status: int = 200) -> dict[int, Schema]:
    return {status: {"description": description, "content": {JSON: {"schema": schema}}}}


CSV_OK = {200: {"description": "CSV", "content": {"text/csv": {"schema": TEXT}}}}


def op(
    summary: str,
    tag: str,
    responses: dict[int, Schema],
    *,
    errors: tuple[int, ...] = (),
    params: list[Schema] | None = None,
    body: Schema | None = None,
    public: bool = False,
) -> Schema:
    operation: Schema = {
        "summary": summary,
        "tags": [tag],
        "responses": {
            str(code): response
            for code, response in sorted(
                {
                    **responses,
                    **{e: _error(e) for e in (*errors, *(() if public else (401, 403)))},
                }.items()
            )
        },
    }
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": body}}}
    if public:
        operation["security"] = []
    return operation


def query(name: str, schema: Schema, description: str, *, required: bool = False) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


def path(name: str, schema: Schema) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema}


ID = path("id", {"type": "integer", "minimum": 1})
CURSOR = query("cursor", TEXT, "next_cursor of the previous page")
LIMIT = query("limit", {"type": "integer", "minimum": 1, "maximum": 500}, "page size")
