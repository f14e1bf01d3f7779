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
