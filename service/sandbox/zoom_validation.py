"""Check requests against Zoom's own OpenAPI schemas, and refuse them as Zoom does.

The schemas come from ``zoom_openapi_subset.json`` (made by ``extract_zoom_subset.py``). Path and
query parameters arrive as strings and are converted to the schema's type before validation.
Two formats are checked the way Zoom checks them rather than the way JSON Schema libraries do:
``email`` (ASCII only: Zoom refuses non-ASCII local parts; IDN domains must be punycode) and
``date-time`` (Zoom's ``yyyy-MM-ddTHH:mm:ss[Z]``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker, ValidationError

from service.sandbox.zoom_errors import ZoomError, validation_failed
from service.sandbox.zoom_time import is_zoom_date_time

SUBSET_PATH = Path(__file__).with_name("zoom_openapi_subset.json")

_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}$"
)


def is_zoom_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("email")(lambda value: not isinstance(value, str) or is_zoom_email(value))
    checker.checks("date-time")(
        lambda value: not isinstance(value, str) or is_zoom_date_time(value)
    )
    return checker


@dataclass(frozen=True)
class ValidRequest:
    """A request that passed validation, with parameters converted to their schema types."""

    params: dict[str, Any]
    body: dict[str, Any]


@dataclass(frozen=True)
class _Operation:
    parameters: list[dict[str, Any]]
    body_schema: dict[str, Any] | None
    body_required: bool


class RequestValidator:
    """Validates one request for a named operation (the spec's ``operationId``)."""

    def __init__(self, subset: dict[str, Any]) -> None:
        self._checker = _format_checker()
        self._operations: dict[str, _Operation] = {}
        self.rate_limit_labels: dict[str, str] = {}
        for methods in subset["paths"].values():
            for operation in methods.values():
                body = operation.get("requestBody")
                self._operations[operation["operationId"]] = _Operation(
                    parameters=operation.get("parameters", []),
                    body_schema=body["content"]["application/json"]["schema"] if body else None,
                    body_required=bool(body and body.get("required")),
                )
                self.rate_limit_labels[operation["operationId"]] = operation["x-rate-limit-label"]

    def validate(
        self, operation_id: str, path_params: dict[str, str], query: dict[str, str], raw_body: bytes
    ) -> ValidRequest:
        operation = self._operations[operation_id]
        params = self._validate_parameters(operation, {"path": path_params, "query": query})
        body: dict[str, Any] = {}
        if operation.body_schema is not None:
            body = self._validate_body(operation, raw_body)
        return ValidRequest(params=params, body=body)

    def _validate_parameters(
        self, operation: _Operation, sources: dict[str, dict[str, str]]
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        invalid: list[str] = []
        for parameter in operation.parameters:
            name, schema = parameter["name"], parameter.get("schema", {})
            raw = sources.get(parameter["in"], {}).get(name)
            if raw is None:
                if parameter.get("required"):
                    invalid.append(name)
                elif "default" in schema:
                    values[name] = schema["default"]
                continue
            value = _convert(raw, schema.get("type"))
            if value is None or not self._is_valid(value, schema):
                invalid.append(name)
            else:
                values[name] = value
        if invalid:
            raise validation_failed(invalid)
        return values

    def _validate_body(self, operation: _Operation, raw_body: bytes) -> dict[str, Any]:
        if not raw_body.strip():
            if operation.body_required:
                raise ZoomError(400, 300, "Request Body is required.")
            return {}
        try:
            body = json.loads(raw_body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ZoomError(400, 300, "Malformed JSON.") from exc
        if not isinstance(body, dict):
            raise validation_failed(["body"])
        validator = Draft4Validator(operation.body_schema or {}, format_checker=self._checker)
        fields = sorted({name for error in validator.iter_errors(body) for name in _fields(error)})
        if fields:
            raise validation_failed(fields)
        return body

    def _is_valid(self, value: Any, schema: dict[str, Any]) -> bool:
        return bool(Draft4Validator(schema, format_checker=self._checker).is_valid(value))


def _convert(raw: str, schema_type: str | None) -> Any:
    """A query or path string as the schema's type; ``None`` when it cannot be one."""
    if schema_type == "integer":
        return int(raw) if re.fullmatch(r"-?\d+", raw) else None
    if schema_type == "boolean":
        return {"true": True, "false": False}.get(raw.lower())
    return raw


def _fields(error: ValidationError) -> list[str]:
    """Dotted names of the fields an error is about, as Zoom reports them."""
    prefix = ".".join(str(part) for part in error.absolute_path if not isinstance(part, int))
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        return [f"{prefix}.{name}" if prefix else name for name in missing]
    return [prefix or "body"]


@cache
def default_validator() -> RequestValidator:
    """The validator for the shipped subset; parsed once per process."""
    return RequestValidator(json.loads(SUBSET_PATH.read_text(encoding="utf-8")))
