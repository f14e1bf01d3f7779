"""What bench/ingress.py runs its measurements against: a throw-away database, processes,
pgbench, and the state of the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import redis

from bench.load_client import SIGNING_KEY, percentile
from service.adapters.migrations import migrate

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def with_database(dsn: str, database: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{database}"))


def service_env(database_url: str, redis_url: str, prefix: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZOOM_", "CALENDLY_"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        REDIS_KEY_PREFIX=prefix,
        HOST="127.0.0.1",
        PORT=str(port),
        CALENDLY_WEBHOOK_SIGNING_KEYS=SIGNING_KEY,
        LOG_FORMAT="json",
        LOG_LEVEL="WARNING",
    )
    return env


class Process:
    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()[-3000:].decode(errors="replace")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.log.close()


def wait_http(url: str, process: Process, within: float = 30) -> None:

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(
                f"{url}: process exited with {process.popen.returncode}:\n{process.output()}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} not up within {within} s")


@contextlib.contextmanager
def serving(
    args: list[str], env: dict[str, str] | None, port: int, ready: str = "/healthz"
) -> Iterator[tuple[str, int]]:
    process = Process(args, env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}{ready}", process)
        yield url, process.popen.pid
    finally:
        process.stop()


class Database:
    def __init__(self, server_dsn: str) -> None:
        self.server_dsn = server_dsn
        self.name = f"ws_bench_{uuid.uuid4().hex[:12]}"
        self.dsn = with_database(server_dsn, self.name)

    async def create(self) -> None:

        conn = await asyncpg.connect(self.server_dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            await conn.close()
        await migrate(self.dsn)

    async def drop(self) -> None:

        conn = await asyncpg.connect(self.server_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await conn.close()

    async def value(self, sql: str, *args: object) -> Any:

        conn = await asyncpg.connect(self.dsn)
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()

    async def execute(self, sql: str) -> None:

        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def execute_args(self, sql: str, *args: object) -> None:

        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute(sql, *args)
        finally:
            await conn.close()


def pgbench_binary() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))
    return str(candidates[-1]) if candidates else None


PGBENCH_TABLE = """
DROP TABLE IF EXISTS inbox_bench, inbox_bench_payload;
CREATE TABLE inbox_bench (LIKE inbox INCLUDING ALL);
CREATE SEQUENCE inbox_bench_id_seq OWNED BY inbox_bench.id;
ALTER TABLE inbox_bench ALTER COLUMN id SET DEFAULT nextval('inbox_bench_id_seq');
CREATE TABLE inbox_bench_payload (body text NOT NULL);
"""


# One row, one commit, as a lone webhook would be stored without group commit. The ~2 KB
# payload text comes from a one-row table and is parsed to jsonb on every insert, as the
# service's is (inline, its colons would read as pgbench variables).
PGBENCH_INSERT = (
    "INSERT INTO inbox_bench (source, event_type, dedupe_key, payload, status) SELECT "
    "'calendly', 'invitee.created', "
    "'invitee.created https://api.calendly.com/scheduled_events/x/invitees/' "
    "|| gen_random_uuid()::text, body::jsonb, 'pending' FROM inbox_bench_payload "
    "ON CONFLICT (source, dedupe_key) DO NOTHING RETURNING id;\n"
)


async def pgbench(db: Database, clients: int, seconds: int, payload: str) -> dict[str, Any]:
    binary = pgbench_binary()
    if binary is None:
        return {"error": "pgbench not found"}
    await db.execute(PGBENCH_TABLE)
    await db.execute_args("INSERT INTO inbox_bench_payload (body) VALUES ($1)", payload)
    statement = PGBENCH_INSERT
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "insert.sql"
        script.write_text(statement)
        args = [binary, "-n", "-M", "prepared", "-T", str(seconds), "-c", str(clients)]
        args += ["-j", "2", "-f", str(script), "-l", "--log-prefix", f"{tmp}/tx", db.dsn]
        done = await asyncio.to_thread(
            subprocess.run,
            args,
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
        latencies = await asyncio.to_thread(_logged_latencies, Path(tmp))
    match = re.search(r"tps = ([\d.]+)", done.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", done.stdout)
    if done.returncode != 0 or match is None:
        return {"error": (done.stderr or done.stdout)[-500:]}
    rows = await db.value("SELECT count(*) FROM inbox_bench")
    return {
        "tps": float(match.group(1)),
        "latency_ms": float(latency.group(1)) if latency else float("nan"),
        "p99_ms": percentile(latencies, 0.99),
        "rows": rows,
    }


def _logged_latencies(folder: Path) -> list[float]:
    """pgbench -l lines (client, transaction, latency in µs, …), as sorted milliseconds."""
    return sorted(
        int(line.split()[2]) / 1000
        for log in folder.glob("tx*")
        for line in log.read_text().splitlines()
    )


def delete_redis_keys(redis_url: str, prefixes: list[str]) -> None:

    client = redis.Redis.from_url(redis_url)
    try:
        for prefix in prefixes:
            keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
            for start in range(0, len(keys), 500):
                client.delete(*keys[start : start + 500])
    finally:
        client.close()


def machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
    }


def loadavg() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "unknown"


def busy_share(seconds: float) -> float:
    """Share of all CPUs busy over `seconds` (from /proc/stat), before anything of ours runs."""

    def sample() -> tuple[int, int]:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return ticks[3] + ticks[4], sum(ticks)  # idle + iowait, all

    idle, total = sample()
    time.sleep(seconds)
    idle2, total2 = sample()
    return 1 - (idle2 - idle) / max(1, total2 - total)


QUIET_BUSY = 0.10  # more than this share of the CPUs busy before a run: the machine is not quiet


def quietness() -> tuple[bool, str]:
    """Whether the machine is quiet enough for absolute figures, and what was seen."""
    busy = busy_share(3.0)
    load1 = float(loadavg().split()[0]) if loadavg() != "unknown" else 0.0
    cpus = os.cpu_count() or 1
    quiet = busy <= QUIET_BUSY and load1 <= 0.5 * cpus
    return quiet, f"{busy:.0%} of the CPUs busy over 3 s, load average {loadavg()}"
