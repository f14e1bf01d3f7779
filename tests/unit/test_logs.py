"""Structured logs never carry secrets (CONTRACT §2)."""

from __future__ import annotations

import json

from service.logs import redact


def test_secret_looking_keys_and_url_passwords_are_masked() -> None:
    event = redact(
        None,
        "info",
        {
            "event": "calling",
            "access_token": "abc",
            "client_secret": "def",
            "Authorization": "Bearer xyz",
            "dsn_hint": "anything",
            "database": "postgresql://app:hunter2@db:5432/x",
            "course_id": "10062",
        },
    )
    assert event["access_token"] == event["client_secret"] == event["Authorization"] == "***"
    assert event["database"] == "postgresql://app:***@db:5432/x"
    assert event["course_id"] == "10062"


def test_nested_secrets_and_secrets_inside_text_are_masked() -> None:
    event = redact(
        None,
        "error",
        {
            "event": "call failed: Authorization: Bearer eyJhbGciOi.secret-part",
            "request": {"headers": {"Authorization": "Bearer abc"}, "path": "/v2/users"},
            "attempts": [{"client_secret": "def", "ok": False}],
            "exception": "Traceback …\nValueError: postgresql://app:hunter2@db/x password=pw1",
        },
    )
    text = json.dumps(event)
    for secret in ("eyJhbGciOi", "abc", "def", "hunter2", "pw1"):
        assert secret not in text
    assert event["request"]["path"] == "/v2/users"
    assert event["attempts"][0]["ok"] is False
