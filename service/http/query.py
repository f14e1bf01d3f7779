"""Reading ops filters from query strings and JSON bodies; the first bad field answers 422.

Admin forms collect every problem before answering (`service.http.input`); a filter has a
handful of optional fields, so naming the first wrong one is enough.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from starlette.requests import Request

from service.domain.numbers import ascii_int
from service.http.errors import ApiError
from service.http.input import json_body


def invalid(field: str, problem: str) -> ApiError:
    return ApiError(422, f"invalid {field}", [{"field": field, "problem": problem}])


def text(values: Mapping[str, Any], field: str) -> str | None:
    value = values.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise invalid(field, "expected a string")
    return value


def choice(values: Mapping[str, Any], field: str, allowed: Iterable[str]) -> str | None:
    value = text(values, field)
    allowed = tuple(allowed)
    if value is not None and value not in allowed:
        raise invalid(field, f"expected one of {', '.join(allowed)}")
    return value


def moment(values: Mapping[str, Any], field: str) -> datetime | None:
    """An ISO-8601 date or date-time; a time without offset is taken as UTC."""
    value = text(values, field)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise invalid(field, "expected an ISO-8601 date or date-time") from None
        parsed = datetime(day.year, day.month, day.day)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def integer(values: Mapping[str, Any], field: str) -> int | None:
    value = values.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = ascii_int(value) if isinstance(value, str) else None
    if number is not None:
        return number
    raise invalid(field, "expected a whole number")


def boolean(values: Mapping[str, Any], field: str) -> bool:
    value = values.get(field, False)
    if not isinstance(value, bool):
        raise invalid(field, "expected true or false")
    return value


async def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object; an empty body is an empty object."""
    if not (await request.body()).strip():
        return {}
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body
