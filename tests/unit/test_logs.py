"""Structured logs never carry secrets (CONTRACT §2)."""

from __future__ import annotations

import json
import subprocess
import sys

from service.logs import redact
from tests.support import ROOT


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


def test_a_process_logs_json_lines_without_the_database_password() -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgresql://app:hunter2@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "LOG_FORMAT": "json",
    }
    result = subprocess.run(
        [sys.executable, "-m", "service", "migrate"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "hunter2" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines, result.stderr
    assert all("level" in json.loads(line) for line in lines)


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


def test_a_logged_exception_is_masked_after_its_traceback_is_formatted() -> None:
    code = (
        "from service.logs import configure_logging, get_logger\n"
        "configure_logging('INFO', 'json')\n"
        "try:\n"
        "    raise RuntimeError('connect postgresql://app:hunter2@db/x token=tok123 failed')\n"
        "except RuntimeError:\n"
        "    get_logger('t').exception('boom')\n"
        "import logging\n"
        "try:\n"
        "    raise RuntimeError('Bearer stdlib-secret')\n"
        "except RuntimeError:\n"
        "    logging.getLogger('lib').exception('lib boom')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "Traceback" in result.stderr
    for secret in ("hunter2", "tok123", "stdlib-secret"):
        assert secret not in result.stderr
