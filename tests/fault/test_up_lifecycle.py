"""`webinar-sync up` on the embedded default: ready within 60 s, nothing left behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.sandbox.serve import free_port
from tests.support import ROOT, Servers, run_service

READY_WITHIN_S = 60


def _children_of(pid: int) -> set[int]:
    """Every live descendant of `pid`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def _left_alive(pids: set[int], within: float) -> list[int]:
    """Those of `pids` still alive once all have ended or `within` seconds have passed."""
    deadline = time.monotonic() + within
    while (alive := [pid for pid in pids if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def _environment(data_dir: Path, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL"}
        and not key.startswith(("ZOOM_", "CALENDLY_", "BOOKING_"))
    }
    env.update(WEBINAR_SYNC_DATA_DIR=str(data_dir), PORT=str(port), LOG_FORMAT="json")
    return env


def _start_up(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """`up` in its own session (as in a terminal: Ctrl-C reaches its whole process group);
    everything it and its children log goes to `data_dir / "up.log"`."""
    with (data_dir / "up.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "service", "up"],
            env=_environment(data_dir, port),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )


def _log_lines(data_dir: Path) -> list[str]:
    return (data_dir / "up.log").read_text(errors="replace").splitlines()


def _wait_ready(port: int, process: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    while time.monotonic() - started < READY_WITHIN_S:
        assert process.poll() is None, "up exited early"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"/readyz not 200 within {READY_WITHIN_S}s")


def _postgres_pid(data_dir: Path) -> int:
    return int((data_dir / "postgres" / "postmaster.pid").read_text().split()[0])


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """Outside pytest's temporary tree, for the reason given in conftest's `servers`."""
    path = Path(tempfile.mkdtemp(prefix="webinar-sync-up-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_up_starts_on_embedded_default_and_stops_with_nothing_left(data_dir: Path) -> None:
    port = free_port()
    up = _start_up(data_dir, port)
    try:
        _wait_ready(port, up)
        postgres = _postgres_pid(data_dir)
        children = _children_of(up.pid)
        assert len(children) >= 6  # redis, sandbox zoom + calendly, api, worker, scheduler
        up.send_signal(signal.SIGTERM)
        assert up.wait(timeout=40) == 0
    finally:
        if up.poll() is None:
            up.kill()
    assert _left_alive(children, within=10) == []
    assert _left_alive({postgres}, within=10) == []


def test_up_killed_leaves_postgres_which_the_next_up_reuses(data_dir: Path) -> None:
    port = free_port()
    first = _start_up(data_dir, port)
    _wait_ready(port, first)
    postgres = _postgres_pid(data_dir)
    orphans = _children_of(first.pid)
    first.kill()  # SIGKILL: no cleanup at all
    first.wait()
    # Its children get SIGTERM from the kernel (PR_SET_PDEATHSIG) and wind down; until they
    # have, the old API would still answer /readyz on this port.
    assert _left_alive(orphans, within=30) == []
    logged_before = len(_log_lines(data_dir))  # the killed one's children logged their end
    second = _start_up(data_dir, port)
    try:
        _wait_ready(port, second)
        assert _postgres_pid(data_dir) == postgres  # adopted, not a second server
        os.killpg(second.pid, signal.SIGINT)  # Ctrl-C: the whole process group gets it
        assert second.wait(timeout=40) == 0
    finally:
        if second.poll() is None:
            second.kill()
    assert not _alive(postgres)
    # A clean stop: every process stopped before the servers it talks to.
    critical = [line for line in _log_lines(data_dir)[logged_before:] if '"critical"' in line]
    assert critical == []


def test_up_refuses_the_sandbox_against_servers_it_was_given(
    data_dir: Path, database_url: str, servers: Servers
) -> None:
    env = {
        **_environment(data_dir, free_port()),
        "DATABASE_URL": database_url,
        "REDIS_URL": servers.redis_url,
    }
    result = run_service("up", env=env)
    assert result.returncode == 2
    assert "--sandbox" in result.stderr
    assert "DATABASE_URL and REDIS_URL" in result.stderr
    assert not (data_dir / "dev-secrets.json").exists()  # refused before doing anything
