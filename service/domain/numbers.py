"""Whole numbers from text, ASCII digits only.

`str.isdigit()` is true for `²` or `٣`, which `int()` then refuses or reads as another number;
ids, limits, cursors and timestamps are parsed here instead, strictly.
"""

from __future__ import annotations

import re

_ASCII_DIGITS = re.compile(r"[0-9]+")


def ascii_int(text: str | None, *, max_digits: int = 18) -> int | None:
    """`text` as a non-negative int when it is 1..max_digits ASCII digits, else None."""
    if text is None or len(text) > max_digits or not _ASCII_DIGITS.fullmatch(text):
        return None
    return int(text)
