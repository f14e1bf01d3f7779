"""Email addresses in the form Zoom accepts for a registrant.

Zoom validates registrant emails strictly (ASCII, at most 128 characters) and nobody has seen
it take an internationalised local part such as `jürgen@…`. A non-ASCII domain has an ASCII
form (punycode), so that is what we send; a non-ASCII local part has none, so the booking
gets a clear error (SEMCO's manual: "E-Mail-Adresse enthält einen Umlaut") instead of a
rejected call to Zoom.
"""

from __future__ import annotations

import re
import unicodedata

MAX_EMAIL_LENGTH = 128  # Zoom's registrant `email` maxLength

_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_ASCII_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


class InvalidEmail(ValueError):
    """An email Zoom cannot take; `message` says why in words a course admin understands."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def zoom_email(raw: str) -> str:
    """The address to send Zoom: trimmed, domain in lower case and punycode.

    The local part keeps its case (mailboxes may be case-sensitive). Raises `InvalidEmail`.
    """
    address = raw.strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail(f"{address!r} is not an email address")
    if not local.isascii():
        odd = "".join(sorted({c for c in local if not c.isascii()}))
        raise InvalidEmail(
            f"Email {address} has non-ASCII characters ({odd}) before the @; "
            "Zoom can't take it, please use another email address"
        )
    if not _LOCAL_PART.fullmatch(local):
        raise InvalidEmail(f"Email {address} is malformed before the @")
    ascii_domain = _ascii_domain(address, domain)
    normalised = f"{local}@{ascii_domain}"
    if len(normalised) > MAX_EMAIL_LENGTH:
        raise InvalidEmail(
            f"Email {address} is longer than the {MAX_EMAIL_LENGTH} characters Zoom accepts"
        )
    return normalised


def _ascii_domain(address: str, domain: str) -> str:
    """Lower case, each non-ASCII label as punycode (`xn--…`), as IDNA 2008 keeps `ß`."""
    labels = unicodedata.normalize("NFC", domain).lower().split(".")
    if len(labels) < 2:
        raise InvalidEmail(f"Email {address} has no complete domain after the @")
    encoded = [
        label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        for label in labels
    ]
    letters_ok = all(c.isalnum() or c == "-" for label in labels for c in label)
    if not letters_ok or not all(_ASCII_LABEL.fullmatch(label) for label in encoded):
        raise InvalidEmail(f"Email {address} has an invalid domain after the @")
    return ".".join(encoded)
