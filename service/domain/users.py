"""Teachers (users of the booking system) as admins find them."""

from __future__ import annotations

import unicodedata


def search_key(*parts: str | None) -> str:
    """Fold text for case- and accent-insensitive prefix search ("Jürgen" finds "jurgen").

    NFKD splits accented letters into base letter + combining mark; dropping the marks
    and case-folding (ß → ss) gives one comparable form for stored names and queries.
    """
    text = " ".join(part for part in parts if part)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
