"""Parsing of the ZOOM_* settings that only the Zoom adapter understands."""

from __future__ import annotations

RATE_CATEGORIES = ("light", "medium", "heavy")
DEFAULT_RATE_LIMITS = "light=30,medium=20,heavy=10"


def parse_rate_limits(text: str) -> dict[str, int]:
    """Parse ZOOM_RATE_LIMITS, e.g. "light=30,medium=20,heavy=10", into per-second limits.

    Strict on purpose: a typo here would silently let workers exceed Zoom's limits, so every
    category must be given exactly once as a positive integer.
    """
    limits: dict[str, int] = {}
    for raw_item in text.split(","):
        name, value = _parse_item(raw_item, text)
        if name in limits:
            raise ValueError(f"ZOOM_RATE_LIMITS names {name!r} twice: {text!r}")
        limits[name] = value
    missing = [name for name in RATE_CATEGORIES if name not in limits]
    if missing:
        raise ValueError(
            f"ZOOM_RATE_LIMITS lacks {', '.join(missing)}: {text!r} "
            f"(expected e.g. {DEFAULT_RATE_LIMITS!r})"
        )
    return limits


def _parse_item(raw_item: str, text: str) -> tuple[str, int]:
    """One `category=limit` pair, with an error message that shows the expected form."""
    name, sep, value = (part.strip() for part in raw_item.partition("="))
    name = name.lower()
    if not sep or not name:
        raise ValueError(
            f"ZOOM_RATE_LIMITS item {raw_item.strip()!r} is not category=limit: {text!r} "
            f"(expected e.g. {DEFAULT_RATE_LIMITS!r})"
        )
    if name not in RATE_CATEGORIES:
        raise ValueError(
            f"ZOOM_RATE_LIMITS has unknown category {name!r}; known: {', '.join(RATE_CATEGORIES)}"
        )
    if not value.isdigit() or int(value) <= 0:
        raise ValueError(
            f"ZOOM_RATE_LIMITS limit for {name!r} must be a positive integer, got {value!r}"
        )
    return name, int(value)
