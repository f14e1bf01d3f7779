"""Emails in the form Zoom takes: punycode domains, clear errors for what it can't take."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.emails import InvalidEmail, zoom_email


@pytest.mark.parametrize(
    ("raw", "sent"),
    [
        ("doro@example.com", "doro@example.com"),
        ("  Doro@Example.COM ", "Doro@example.com"),
        ("rita.doro+kurs@sub.example.de", "rita.doro+kurs@sub.example.de"),
        ("a@müller.de", "a@xn--mller-kva.de"),
        ("a@MÜLLER.de", "a@xn--mller-kva.de"),
        ("x@straße.de", "x@xn--strae-oqa.de"),
    ],
)
def test_what_zoom_is_sent(raw: str, sent: str) -> None:
    assert zoom_email(raw) == sent


def test_a_non_ascii_local_part_is_refused_with_a_human_message() -> None:
    with pytest.raises(InvalidEmail) as caught:
        zoom_email("jürgen@example.com")

    assert caught.value.message == (
        "Email jürgen@example.com has non-ASCII characters (ü) before the @; "
        "Zoom can't take it, please use another email address"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "'' is not an email address"),
        ("doro.example.com", "'doro.example.com' is not an email address"),
        ("@example.com", "'@example.com' is not an email address"),
        ("doro@", "'doro@' is not an email address"),
        ("doro@localhost", "Email doro@localhost has no complete domain after the @"),
        ("do ro@example.com", "Email do ro@example.com is malformed before the @"),
        ("doro.@example.com", "Email doro.@example.com is malformed before the @"),
        ("do..ro@example.com", "Email do..ro@example.com is malformed before the @"),
        ("a@b@example.com", "Email a@b@example.com is malformed before the @"),
        ("doro@exa_mple.com", "Email doro@exa_mple.com has an invalid domain after the @"),
        ("doro@-example.com", "Email doro@-example.com has an invalid domain after the @"),
        ("doro@example..com", "Email doro@example..com has an invalid domain after the @"),
        ("doro@exam ple.com", "Email doro@exam ple.com has an invalid domain after the @"),
    ],
)
def test_malformed_emails_are_refused(raw: str, message: str) -> None:
    with pytest.raises(InvalidEmail) as caught:
        zoom_email(raw)

    assert caught.value.message == message


def test_an_email_longer_than_zoom_takes_is_refused() -> None:
    with pytest.raises(InvalidEmail, match="longer than the 128 characters"):
        zoom_email("a" * 120 + "@example.com")


_LOCAL = st.from_regex(r"[a-z0-9]{1,10}(\.[a-z0-9_+-]{1,5}){0,2}", fullmatch=True)
_LABEL = st.text(alphabet="abcxyz0123äöüßéñ", min_size=1, max_size=12)


@given(local=_LOCAL, labels=st.lists(_LABEL, min_size=1, max_size=3))
def test_what_zoom_is_sent_is_ascii_and_stable(local: str, labels: list[str]) -> None:
    sent = zoom_email(f"{local}@{'.'.join(labels)}.de")

    assert sent.isascii()
    assert sent.startswith(f"{local}@")
    assert zoom_email(sent) == sent
