"""Cut the operations webinar-sync uses out of Zoom's Meeting API OpenAPI document.

The sandbox validates every request against this subset, so a request real Zoom would reject
is rejected here too. The full document is 2.7 MB; the subset keeps only what validation needs
(parameters, request bodies, the rate-limit label) and drops prose and examples.

Zoom's document has a few errors that would make a strict JSON-Schema validator reject requests
Zoom itself accepts (or accept requests Zoom rejects). Each correction is applied here, in code,
and listed in the output under ``x-sandbox-corrections`` so nobody mistakes it for Zoom's text.

Usage::

    python -m service.sandbox.extract_zoom_subset \\
        /work/shared/reference/zoom-meeting-api.openapi.json

writes ``service/sandbox/zoom_openapi_subset.json`` (or the path given with ``--output``).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

OPERATIONS: tuple[tuple[str, str], ...] = (
    ("/users/{userId}/meetings", "get"),
    ("/users/{userId}/meetings", "post"),
    ("/meetings/{meetingId}", "get"),
    ("/meetings/{meetingId}", "patch"),
    ("/meetings/{meetingId}", "delete"),
    ("/meetings/{meetingId}/registrants", "post"),
    ("/meetings/{meetingId}/registrants", "get"),
    ("/meetings/{meetingId}/registrants/{registrantId}", "get"),
    ("/meetings/{meetingId}/registrants/{registrantId}", "delete"),
    ("/meetings/{meetingId}/registrants/status", "put"),
    ("/past_meetings/{meetingId}/participants", "get"),
    ("/past_meetings/{meetingId}/instances", "get"),
)

DEFAULT_OUTPUT = Path(__file__).with_name("zoom_openapi_subset.json")

_PROSE_KEYS = frozenset({"description", "example", "examples", "x-enum-descriptions"})
_RATE_LIMIT_LABEL = re.compile(r"Rate Limit Label\]\([^)]*\):\*\*\s*`([A-Za-z-]+)`")
_WEEKLY_DAYS_PATTERN = "^[1-7](,[1-7])*$"

CORRECTIONS = (
    "recurrence.weekly_days: the enum '1'..'7' is replaced by the pattern "
    f"{_WEEKLY_DAYS_PATTERN!r}, because the field's own description documents comma-separated "
    "days such as '1,3'.",
    "registrants (PUT .../registrants/status): 'maximum: 30' on an array is ignored by JSON "
    "Schema; it is rewritten to 'maxItems: 30', which is what Zoom enforces (max 30 registrants).",
    "oneOf is rewritten to anyOf: the userId alternatives (any string / email / 'me') overlap, "
    "so under oneOf every valid userId would be rejected.",
)


def strip_prose(node: Any) -> Any:
    """Drop descriptions and examples: they are for humans and bloat the subset 20-fold."""
    if isinstance(node, dict):
        return {
            ("anyOf" if key == "oneOf" else key): strip_prose(value)
            for key, value in node.items()
            if key not in _PROSE_KEYS
        }
    if isinstance(node, list):
        return [strip_prose(item) for item in node]
    return node


def correct_schema(node: Any) -> Any:
    """Apply the corrections listed in CORRECTIONS to a (prose-free) schema tree."""
    if isinstance(node, dict):
        fixed = {key: correct_schema(value) for key, value in node.items()}
        if fixed.get("type") == "array" and "maximum" in fixed:
            fixed["maxItems"] = fixed.pop("maximum")
        weekly_days = fixed.get("properties", {}).get("weekly_days")
        if isinstance(weekly_days, dict) and "enum" in weekly_days:
            weekly_days.pop("enum")
            weekly_days["pattern"] = _WEEKLY_DAYS_PATTERN
        return fixed
    if isinstance(node, list):
        return [correct_schema(item) for item in node]
    return node


def rate_limit_label(operation: dict[str, Any]) -> str:
    """The label (Light/Medium/Heavy) Zoom prints in each operation's description."""
    match = _RATE_LIMIT_LABEL.search(operation.get("description", ""))
    if match is None:
        raise ValueError(f"no rate limit label in {operation.get('operationId')}")
    return match.group(1)


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for path, method in OPERATIONS:
        path_item = spec["paths"][path]
        operation = path_item[method]
        parameters = [*path_item.get("parameters", []), *operation.get("parameters", [])]
        subset_operation: dict[str, Any] = {
            "operationId": operation["operationId"],
            "summary": operation.get("summary", ""),
            "x-rate-limit-label": rate_limit_label(operation),
            "parameters": correct_schema(strip_prose(parameters)),
        }
        if "requestBody" in operation:
            subset_operation["requestBody"] = correct_schema(strip_prose(operation["requestBody"]))
        paths.setdefault(path, {})[method] = subset_operation
    return {
        "openapi": spec["openapi"],
        "info": {
            "title": f"{spec['info']['title']} (webinar-sync subset)",
            "version": spec["info"]["version"],
        },
        "servers": spec.get("servers", []),
        "x-sandbox-corrections": list(CORRECTIONS),
        "paths": paths,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("spec", type=Path, help="Zoom Meeting API OpenAPI JSON (full document)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    subset = extract(spec)
    args.output.write_text(json.dumps(subset, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(OPERATIONS)} operations to {args.output}")


if __name__ == "__main__":
    main()
