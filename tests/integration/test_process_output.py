"""What a webinar-sync process prints: configuration errors and JSON logs, never a secret.

These start processes, so they live here rather than in tests/unit."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support import ROOT, run_service


def test_cli_prints_one_line_per_problem_and_no_secret() -> None:
    secret = "supersecret-value-123"
    env = {
        "PATH": "/usr/bin:/bin",
        "BOOKING_WEBHOOK_SECRETS": secret,
        "DATABASE_URL": f"mysql://user:{secret}@db/x",
    }
    result = run_service("migrate", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "configuration error: DATABASE_URL: expected a URL postgres://… or postgresql://…, "
        "got one starting 'mysql'",
        "configuration error: BOOKING_WEBHOOK_SECRETS: secret #1 must be "
        "whsec_<base64 of at least 16 bytes> (value not shown)",
    ]
    assert secret not in result.stderr + result.stdout


def test_a_process_logs_json_lines_without_the_database_password() -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgresql://app:hunter2@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "LOG_FORMAT": "json",
    }
    result = run_service("migrate", env=env)
    assert result.returncode != 0
    assert "hunter2" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines, result.stderr
    assert all("level" in json.loads(line) for line in lines)


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
