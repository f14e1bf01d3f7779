#!/usr/bin/env python3
"""The two Quick-start commands: `python3 dev.py up` and `python3 dev.py test`.

Both create `.venv` from the lock file on first use (and again whenever the lock
file changes), so a fresh clone needs nothing but Python 3.11+.

    python3 dev.py up [ARGS]        # webinar-sync up ARGS (embedded Postgres and Redis)
    python3 dev.py test [PYTEST]    # ruff, mypy, then pytest PYTEST
    python3 dev.py run CMD [ARGS]   # any webinar-sync command, e.g. `run token create ...`
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements-dev.lock"
STAMP = VENV / ".installed-lock-sha256"
BIN = VENV / "bin"


def _lock_digest() -> str:
    digest = hashlib.sha256(LOCK.read_bytes())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    """Create or refresh the virtualenv so that it matches the lock file exactly."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py itself runs on older Pythons
        sys.exit("webinar-sync needs Python 3.11 or newer")
    wanted = _lock_digest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("dev.py: installing pinned dependencies into .venv (first run only) …", flush=True)
    # A fresh venv each time the lock changes: nothing left over from an older lock.
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--require-hashes", "-r", str(LOCK)], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(wanted)


CHROMIUM = Path("/usr/bin/chromium")


def ensure_chromium() -> None:
    """The browser tests (tests/ui/) drive Debian's Chromium; Playwright's own download
    does not work offline. Installed here when we may, else a clear message."""
    if CHROMIUM.exists():
        return
    apt = Path("/usr/bin/apt-get")
    if os.geteuid() == 0 and apt.exists():
        print("dev.py: installing Debian's chromium for the browser tests …", flush=True)
        subprocess.run([str(apt), "update"], check=True)
        subprocess.run([str(apt), "install", "-y", "chromium"], check=True)
        return
    sys.exit(
        "dev.py: the browser tests need Chromium at /usr/bin/chromium; "
        "install Debian's 'chromium' package (sudo apt-get install chromium)"
    )


def run_tests(pytest_args: list[str]) -> int:
    ensure_chromium()
    steps = [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],
        ["python", "-m", "pytest", *pytest_args],
    ]
    for program, *arguments in steps:
        print(f"dev.py: {program} {' '.join(arguments)}", flush=True)
        code = subprocess.run([str(BIN / program), *arguments], cwd=ROOT, check=False).returncode
        if code != 0:
            return code
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"up", "test", "run"}:
        print(__doc__)
        return 2
    ensure_venv()
    command, rest = argv[0], argv[1:]
    if command == "test":
        return run_tests(rest)
    args = ["up", *rest] if command == "up" else rest
    os.execv(str(BIN / "webinar-sync"), [str(BIN / "webinar-sync"), *args])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
