"""Request models checked all at once: pydantic's ValidationError as our 422 problem document.

Each field of a request model carries one `Rule` (its annotation's metadata) that checks the
value before pydantic does and says in our words what is wrong: `{"field", "problem"}` as
CONTRACT §5 and the tests pin them.
A missing field is reported by asking its rule about `None`, so "required" reads the same
whether a key is absent or null. Unknown keys are problems (`extra="forbid"`): a misspelt
field must not be a no-op. Rules check types strictly themselves (no "1" for 1, no 1 for
true) before pydantic's own, lax, conversion sees the value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from service.http.errors import ApiError

Model = TypeVar("Model", bound=BaseModel)
INVALID = "the request is invalid"
# A body model's config: an unknown key is a problem, a misspelt field must not be a no-op.
CLOSED = ConfigDict(extra="forbid")


def refuse(problem: str) -> NoReturn:
    raise PydanticCustomError("problem", problem)


class Rule:
    """A field's check, as `Annotated[type, rule]`: `check` returns the value to keep or calls
    `refuse`; `constraints` are what the document shows of it (on the branches of its type;
    None removes what the type would say, e.g. a date-time `format` where a date will do)."""

    def check(self, value: Any) -> Any:
        raise NotImplementedError

    def constraints(self) -> dict[str, Any]:
        return {}

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        document = handler(schema)
        for branch in document.get("anyOf", [document]):
            kind = {"string": "string", "integer": "number"}.get(branch.get("type", ""))
            branch.update(
                {key: value for key, value in self.constraints().items() if _KINDS[key] == kind}
            )
            for key in [key for key, value in branch.items() if value is None]:
                del branch[key]  # a constraint of None lifts one of the type's
        return document


# Which type a JSON-schema keyword constrains: each goes to the branches of its type only.
_KINDS = {
    "minLength": "string",
    "maxLength": "string",
    "format": "string",
    "pattern": "string",
    "minimum": "number",
    "maximum": "number",
}


class Check(Rule):
    """A rule written as one function."""

    def __init__(self, check: Callable[[Any], Any], **constraints: Any) -> None:
        self._check = check
        self._constraints = constraints

    def check(self, value: Any) -> Any:
        return self._check(value)

    def constraints(self) -> dict[str, Any]:
        return self._constraints


def parse(model: type[Model], data: Any, message: str = INVALID) -> Model:
    """`data` as `model`, or a 422 listing every problem (unknown fields first)."""
    if not isinstance(data, dict):
        raise ApiError(422, message, [{"field": "body", "problem": "expected a JSON object"}])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiError(422, message, problems(model, error)) from None


def parse_query(model: type[Model], values: Mapping[str, Any]) -> Model:
    """Query parameters (or a filter body) as `model`; an empty value is no value, and the 422
    names the fields it refuses ("invalid status")."""
    given = {key: value for key, value in values.items() if value != ""}
    try:
        return model.model_validate(given)
    except ValidationError as error:
        found = problems(model, error)
        fields = ", ".join(dict.fromkeys(item["field"] for item in found))
        raise ApiError(422, f"invalid {fields}", found) from None


def problems(model: type[BaseModel], error: ValidationError) -> list[dict[str, str]]:
    found = [
        {"field": field_name(e["loc"]), "problem": _problem(model, e["type"], e["loc"], e["msg"])}
        for e in error.errors(include_url=False, include_context=False, include_input=False)
    ]
    unknown = [item for item in found if item["problem"] == "unknown field"]
    return unknown + [item for item in found if item["problem"] != "unknown field"]


def field_name(loc: tuple[int | str, ...]) -> str:
    """`("updates", 1, "attendee_id")` → `updates[1].attendee_id`."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else part
    return name or "body"


def _problem(model: type[BaseModel], kind: str, loc: tuple[int | str, ...], msg: str) -> str:
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing" and len(loc) == 1 and str(loc[0]) in model.model_fields:
        return _required(model, str(loc[0]))
    return msg


def _required(model: type[BaseModel], name: str) -> str:
    for item in model.model_fields[name].metadata:
        if isinstance(item, Rule):
            try:
                item.check(None)
            except PydanticCustomError as error:
                return error.message()
    return "required"
