"""Received JSON: what RFC 8259 allows, parsed once, with a copy Postgres `jsonb` can hold.

CONTRACT §3: any text inside valid JSON is accepted. `jsonb` cannot hold U+0000 or a lone
surrogate, so the parsed copy carries U+FFFD in their place (the raw body is kept verbatim
beside it). What no sender can legitimately send — not UTF-8, not JSON, `NaN` / `Infinity`,
numbers beyond a double, nesting deeper than `MAX_DEPTH` — raises `InvalidJson` naming it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 64
REPLACEMENT = "\ufffd"

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# The JSON escapes that may decode to something jsonb refuses (a pair of surrogates is fine,
# but is cheaper to re-serialise than to tell apart here).
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_NONZERO_DIGIT = re.compile(r"[1-9]")


class InvalidJson(ValueError):
    """The body is not JSON this service can take in; `reason` names the cause."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class JsonDocument:
    value: Any  # the parsed body; unstorable characters replaced by U+FFFD
    text: str  # JSON text of `value` for jsonb (the body itself when nothing was replaced)


def parse_json(body: bytes) -> JsonDocument:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidJson(f"the body is not UTF-8 (byte {error.start})") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise InvalidJson(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as error:
        raise InvalidJson(f"the body is not JSON: {error}") from None
    except InvalidJson:
        raise
    except ValueError as error:  # an integer with thousands of digits
        raise InvalidJson(f"a number in the body is out of range: {error}") from None
    if body.count(b"{") + body.count(b"[") > MAX_DEPTH:  # else it cannot be deeper: no walk
        _check_depth(value, 1)
    if not _UNSTORABLE_ESCAPE.search(text):
        return JsonDocument(value, text)
    cleaned = storable(value)
    return JsonDocument(cleaned, json.dumps(cleaned, ensure_ascii=False))


def storable(value: Any) -> Any:
    """`value` with U+0000 and lone surrogates in every string and key replaced by U+FFFD."""
    if isinstance(value, str):
        return _UNSTORABLE.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value


def is_storable(text: str) -> bool:
    """Whether Postgres can hold `text` as it is (no U+0000, no lone surrogate)."""
    return not _UNSTORABLE.search(text)


def _check_depth(value: Any, depth: int) -> None:
    if isinstance(value, dict):
        children: Any = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return
    if depth > MAX_DEPTH:
        raise InvalidJson(f"JSON nested deeper than {MAX_DEPTH} levels")
    for child in children:
        _check_depth(child, depth + 1)


def _refuse_constant(name: str) -> Any:
    raise InvalidJson(f"the body is not JSON: {name} is not a JSON number (RFC 8259)")


def _finite_float(literal: str) -> float:
    number = float(literal)
    mantissa = literal.lower().partition("e")[0]
    if number in (float("inf"), float("-inf")) or (
        number == 0.0 and _NONZERO_DIGIT.search(mantissa)
    ):
        raise InvalidJson(f"the number {literal[:40]} is out of range for a double")
    return number
