"""Received JSON: any text inside valid JSON is kept; what no sender can send is named."""

from __future__ import annotations

import json

import pytest

from service.domain.json_text import MAX_DEPTH, InvalidJson, parse_json
from service.domain.numbers import ascii_int


def test_plain_json_is_passed_through_as_received() -> None:
    body = b'{"name": "R\xc3\xa9ka", "n": [1, 2.5, null]}'
    document = parse_json(body)
    assert document.value == {"name": "Réka", "n": [1, 2.5, None]}
    assert document.text == body.decode()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (rb'{"name": "a\u0000b"}', {"name": "a\ufffdb"}),
        (rb'{"name": "\ud800"}', {"name": "\ufffd"}),
        (rb'{"\udfff": "x"}', {"\ufffd": "x"}),
        (rb'{"deep": [{"n": "\u0000"}]}', {"deep": [{"n": "\ufffd"}]}),
    ],
)
def test_characters_jsonb_cannot_hold_become_replacement_characters(
    body: bytes, expected: object
) -> None:
    document = parse_json(body)
    assert document.value == expected
    assert json.loads(document.text) == expected
    assert "\\u0000" not in document.text


def test_a_surrogate_pair_is_a_character_not_a_replacement() -> None:
    assert parse_json(rb'{"e": "\ud83d\ude00"}').value == {"e": "\U0001f600"}


def test_the_text_of_six_characters_backslash_u0000_is_kept() -> None:
    assert parse_json(rb'{"name": "\\u0000"}').value == {"name": "\\u0000"}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"a": 1e400}', "out of range"),
        (b'{"a": 1e-400}', "out of range"),
        (b'{"a": ' + b"9" * 5000 + b"}", "out of range"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), f"deeper than {MAX_DEPTH}"),
        (b"[" * 100_000 + b"]" * 100_000, f"deeper than {MAX_DEPTH}"),
        (b'{"a": "x\x00"}', "not JSON"),
    ],
)
def test_what_no_sender_can_send_is_refused_naming_the_cause(body: bytes, reason: str) -> None:
    with pytest.raises(InvalidJson, match=reason):
        parse_json(body)


def test_nesting_up_to_the_limit_is_fine() -> None:
    body = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert parse_json(body).text == body.decode()


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0), ("42", 42), ("007", 7), ("9" * 18, int("9" * 18))],
)
def test_ascii_digits_are_numbers(text: str, value: int) -> None:
    assert ascii_int(text) == value


@pytest.mark.parametrize(
    "text", [None, "", "²", "٣", "1²", " 1", "1 ", "+1", "-1", "1_000", "9" * 19]
)
def test_anything_else_is_not_a_number(text: str | None) -> None:
    assert ascii_int(text) is None
