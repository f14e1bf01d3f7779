"""Ingress benchmark for `POST /webhooks/calendly`, against the real API process.

    .venv/bin/python bench/ingress.py [--seconds N] [--concurrency C] [--rate R] [--drain N]

What it does, all on this machine (traffic only to 127.0.0.1):

1. creates a fresh database on the server of DATABASE_URL and migrates it; uses REDIS_URL
   with a unique key prefix; starts `python -m service api` (one uvicorn process) on a
   free port;
2. sustained run: C concurrent keep-alive connections for N seconds (closed loop);
   accepted/s, p50/p99, and a ledger check: 2xx responses == new inbox rows, exactly;
3. fixed-rate run (open loop, latency measured from each request's scheduled start,
   so a stalled server cannot hide its queueing): p50/p99 at R req/s;
4. baselines in the same run: (a) a trivial Starlette app answering 202 under the same
   uvicorn config and the same load generator; (b) `pgbench` single-row inserts of an
   inbox-like row (same columns, constraints and indexes, the same ~2 KB jsonb) with C
   clients;
5. drain: N `invitee.created` deliveries accepted with no worker running, then one
   `python -m service worker` is started and timed until every row is `done`;
6. drops the database, deletes its Redis keys, prints a Markdown table.

The load generator is a separate process (`bench/ingress.py _load SPEC`): a minimal
keep-alive HTTP/1.1 client on uvloop with C connections (see `_Connection` for why not
httpx). It builds realistic deliveries with the
sandbox's own `scenario` / `build_delivery` and signs them right before its run
(signatures are only good for ±180 s). Every run is bounded by time and by a request
count. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import redis
import uvicorn
import uvloop
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.adapters.migrations import migrate
from service.sandbox.calendly_push import build_delivery, scenario

ROOT = Path(__file__).resolve().parents[1]

SIGNING_KEY = "bench-calendly-signing-key"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
GROUP = 20  # invitees per scheduled event in the generated deliveries
MAX_RATE_GUESS = 4_000  # bodies pre-built per second of a closed-loop run (its count bound)


# -- the load generator (runs in its own process) ------------------------------------------


def _bodies(count: int, now: datetime) -> list[tuple[dict[str, str], bytes]]:

    pushes = scenario(
        "invitee.created", count=count, group=GROUP, reschedule=False, location="zoom", now=now
    )
    return [build_delivery(event, payload, SIGNING_KEY, now) for event, payload in pushes]


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request at a time; answers have a length.

    httpx was the first choice, but on this machine it tops out at ~1,000 req/s on one
    connection and ~330 req/s with a 64-connection pool (measured against the trivial
    app, which serves 15,000 req/s to wrk): it would have measured itself. This client
    does only what the benchmark needs, at a few µs per request.
    """

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[int] | None = None

    @classmethod
    async def open(cls, host: str, port: int) -> _Connection:
        _, protocol = await asyncio.get_running_loop().create_connection(cls, host, port)
        return protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None or self.waiter.done():
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end])
        length = _CONTENT_LENGTH.search(head)
        total = end + 4 + (int(length.group(1)) if length else 0)
        if len(self.buffer) >= total:
            del self.buffer[:total]
            self.waiter.set_result(int(head[9:12]))

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"connection lost: {exc!r}"))

    async def request(self, raw: bytes) -> int:
        if self.transport is None:
            raise ConnectionError("connection closed")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


_CONTENT_LENGTH = re.compile(rb"(?i)\r\ncontent-length:\s*(\d+)")


def _raw_requests(spec: dict[str, Any]) -> list[bytes]:
    """The exact bytes of each request, built (and signed) before the clock starts."""
    host = urlsplit(spec["url"]).netloc
    deliveries = _bodies(spec.get("bodies", spec["count"]), datetime.now(UTC))
    raw = []
    for headers, body in deliveries:
        lines = [f"POST {spec['path']} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        raw.append(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    return raw


async def _load(spec: dict[str, Any]) -> dict[str, Any]:
    mode: str = spec["mode"]  # "closed" (C connections, N s) or "open" (R req/s for N s)
    seconds: float = spec["seconds"]
    count: int = spec["count"]
    connections: int = spec["concurrency"]
    address = urlsplit(spec["url"])
    host, port = address.hostname or "127.0.0.1", address.port or 80
    # Signed now: valid for the whole run. Distinct bodies unless the spec says fewer
    # (the trivial baseline stores nothing, so it may cycle through a few).
    raw = _raw_requests(spec)
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    # FIFO, so every connection is used often: uvicorn closes one idle for 5 s.
    idle = collections.deque([await _Connection.open(host, port) for _ in range(connections)])
    free = asyncio.Semaphore(connections)

    async def post(index: int, started: float) -> None:
        async with free:  # open loop: waiting for a connection counts as latency
            conn = idle.popleft()
            try:
                key = str(await conn.request(raw[index % len(raw)]))
            except (ConnectionError, OSError) as error:
                key = type(error).__name__
                conn.close()
                conn = await _Connection.open(host, port)
            finally:
                latencies.append(time.perf_counter() - started)
            idle.append(conn)
        statuses[key] = statuses.get(key, 0) + 1

    meter = _CpuMeter(spec["watch_pid"]) if "watch_pid" in spec else None
    begin = time.perf_counter()
    if mode == "closed":
        deadline = begin + seconds
        next_index = 0

        async def worker() -> None:
            nonlocal next_index
            while next_index < count and time.perf_counter() < deadline:
                index, next_index = next_index, next_index + 1
                await post(index, time.perf_counter())

        await asyncio.gather(*(worker() for _ in range(connections)))
    else:
        rate: float = spec["rate"]
        total = min(count, int(rate * seconds))
        tasks = []
        for index in range(total):
            scheduled = begin + index / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(index, scheduled)))
        await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - begin
    cpu = meter.read() if meter else None
    for conn in idle:
        conn.close()
    latencies.sort()
    ok = sum(n for status, n in statuses.items() if status.startswith("2"))
    return {
        "requests": len(latencies),
        "ok": ok,
        "statuses": statuses,
        "elapsed": elapsed,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "max_ms": latencies[-1] * 1000 if latencies else float("nan"),
        "cpu": cpu,
    }


def _load_main(spec_json: str) -> int:

    result = uvloop.run(_load(json.loads(spec_json)))
    print(json.dumps(result))
    return 0


def _trivial_main(port: int) -> int:
    """The HTTP stack's ceiling: Starlette reading the body and answering 202, same uvicorn."""

    async def accept(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse({"status": "accepted", "id": "1"}, status_code=202)

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app = Starlette(
        routes=[
            Route("/webhooks/calendly", accept, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
    # The same call as `service.cli.processes.run_api`.
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    return 0


# -- the orchestrator ------------------------------------------------------------------------


@dataclass
class Row:
    what: str
    figure: str
    target: str = ""
    note: str = ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _with_database(dsn: str, database: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{database}"))


def _service_env(database_url: str, redis_url: str, prefix: str, port: int) -> dict[str, str]:
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


def _wait_http(url: str, process: Process, within: float = 30) -> None:

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


def _run_load(spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "_load", json.dumps(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=spec["seconds"] + 120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@contextlib.contextmanager
def _serving(
    args: list[str], env: dict[str, str] | None, port: int, ready: str = "/healthz"
) -> Iterator[tuple[str, int]]:
    process = Process(args, env)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_http(f"{url}{ready}", process)
        yield url, process.popen.pid
    finally:
        process.stop()


class Database:
    def __init__(self, server_dsn: str) -> None:
        self.server_dsn = server_dsn
        self.name = f"ws_bench_{uuid.uuid4().hex[:12]}"
        self.dsn = _with_database(server_dsn, self.name)

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


def _pgbench_binary() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))
    return str(candidates[-1]) if candidates else None


_PGBENCH_TABLE = """
CREATE TABLE inbox_bench (LIKE inbox INCLUDING ALL);
CREATE SEQUENCE inbox_bench_id_seq OWNED BY inbox_bench.id;
ALTER TABLE inbox_bench ALTER COLUMN id SET DEFAULT nextval('inbox_bench_id_seq');
CREATE TABLE inbox_bench_payload (body text NOT NULL);
"""


# One row, one commit, as a lone webhook would be stored without group commit. The ~2 KB
# payload text comes from a one-row table and is parsed to jsonb on every insert, as the
# service's is (inline, its colons would read as pgbench variables).
_PGBENCH_INSERT = (
    "INSERT INTO inbox_bench (source, event_type, dedupe_key, payload, status) SELECT "
    "'calendly', 'invitee.created', "
    "'invitee.created https://api.calendly.com/scheduled_events/x/invitees/' "
    "|| gen_random_uuid()::text, body::jsonb, 'pending' FROM inbox_bench_payload "
    "ON CONFLICT (source, dedupe_key) DO NOTHING RETURNING id;\n"
)


async def _pgbench(db: Database, clients: int, seconds: int, payload: str) -> dict[str, Any]:
    binary = _pgbench_binary()
    if binary is None:
        return {"error": "pgbench not found"}
    await db.execute(_PGBENCH_TABLE)
    await db.execute_args("INSERT INTO inbox_bench_payload (body) VALUES ($1)", payload)
    statement = _PGBENCH_INSERT
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "insert.sql"
        script.write_text(statement)
        args = [binary, "-n", "-M", "prepared", "-T", str(seconds), "-c", str(clients)]
        args += ["-j", "2", "-f", str(script), db.dsn]
        done = await asyncio.to_thread(
            subprocess.run,
            args,
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
    match = re.search(r"tps = ([\d.]+)", done.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", done.stdout)
    if done.returncode != 0 or match is None:
        return {"error": (done.stderr or done.stdout)[-500:]}
    rows = await db.value("SELECT count(*) FROM inbox_bench")
    return {
        "tps": float(match.group(1)),
        "latency_ms": float(latency.group(1)) if latency else float("nan"),
        "rows": rows,
    }


def _delete_redis_keys(redis_url: str, prefixes: list[str]) -> None:

    client = redis.Redis.from_url(redis_url)
    try:
        for prefix in prefixes:
            keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
            for start in range(0, len(keys), 500):
                client.delete(*keys[start : start + 500])
    finally:
        client.close()


def _machine() -> dict[str, str]:
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


class _CpuMeter:
    """CPU used by one process and by the whole machine between creation and read()."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.start = self._sample()

    def _sample(self) -> tuple[float, int, int, int]:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        process = int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = ticks[3] + ticks[4]  # idle + iowait
        return time.monotonic(), process, sum(ticks) - idle, sum(ticks)

    def read(self) -> dict[str, float]:
        end = self._sample()
        hz = os.sysconf("SC_CLK_TCK")
        wall = end[0] - self.start[0]
        return {
            "process_cores": (end[1] - self.start[1]) / hz / wall,
            "machine_busy": (end[2] - self.start[2]) / max(1, end[3] - self.start[3]),
        }


def _loadavg() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "unknown"


def _cpu_note(result: dict[str, Any]) -> str:
    cpu = result["cpu"]
    return (
        f"server process {cpu['process_cores']:.0%} of a core, "
        f"machine {cpu['machine_busy']:.0%} busy"
    )


def _fmt_ms(value: float) -> str:
    return f"{value:.1f} ms"


async def _drain(
    db: Database, redis_url: str, prefix: str, count: int, concurrency: int
) -> dict[str, Any]:
    """Accept `count` deliveries with no worker, then time one worker until all are done."""
    watermark = await db.value("SELECT coalesce(max(id), 0) FROM inbox")
    port = _free_port()
    env = _service_env(db.dsn, redis_url, prefix, port)
    with _serving(["-m", "service", "api"], env, port, ready="/readyz") as (url, _):
        posted = await asyncio.to_thread(
            _run_load,
            {
                "mode": "closed",
                "url": url,
                "path": "/webhooks/calendly",
                "seconds": 120,
                "count": count,
                "concurrency": concurrency,
            },
        )
    accepted = posted["statuses"].get("202", 0)
    pending_sql = "SELECT count(*) FROM inbox WHERE id > $1 AND status = 'pending'"
    done_sql = "SELECT count(*) FROM inbox WHERE id > $1 AND status = 'done'"
    pending = await db.value(pending_sql, watermark)
    worker = Process(["-m", "service", "worker"], env)
    started = time.perf_counter()
    try:
        deadline = started + 180
        done = 0
        while time.perf_counter() < deadline:
            done = await db.value(done_sql, watermark)
            if done >= pending:
                break
            await asyncio.sleep(0.05)
        wall = time.perf_counter() - started
    finally:
        worker.stop()
    spread = await db.value(
        "SELECT extract(epoch FROM max(processed_at) - min(processed_at)) FROM inbox "
        "WHERE id > $1 AND status = 'done'",
        watermark,
    )
    other = await db.value(
        "SELECT count(*) FROM inbox WHERE id > $1 AND status NOT IN ('done', 'pending')", watermark
    )
    return {
        "accepted": accepted,
        "pending_before": pending,
        "done": done,
        "other": other,
        "wall_s": wall,
        "rate_wall": done / wall if wall else float("nan"),
        "rate_steady": done / float(spread) if spread else float("nan"),
    }


async def _benchmark(args: argparse.Namespace) -> dict[str, Any]:
    server_dsn = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    run_id = uuid.uuid4().hex[:10]
    prefixes = [f"ws-bench-{run_id}-ingress", f"ws-bench-{run_id}-drain"]
    db = Database(server_dsn)
    machine = _machine()
    machine["loadavg_before"] = _loadavg()
    rows: list[Row] = []
    results: dict[str, Any] = {"machine": machine, "args": vars(args)}
    c, seconds = args.concurrency, args.seconds
    await db.create()
    try:
        machine["postgres"] = await db.value("SHOW server_version")
        machine["synchronous_commit"] = await db.value("SHOW synchronous_commit")

        # 1-3: the real API process.
        port = _free_port()
        env = _service_env(db.dsn, redis_url, prefixes[0], port)
        api = ["-m", "service", "api", "--workers", str(args.api_workers)]
        with _serving(api, env, port, ready="/readyz") as (url, api_pid):
            base = {"url": url, "path": "/webhooks/calendly", "concurrency": c}
            # Warm-up: first connections, prepared statements, code paths.
            _run_load({**base, "mode": "closed", "seconds": 2, "count": 500})

            print(f"sustained: {c} connections for {seconds} s …", file=sys.stderr)
            before = await db.value("SELECT count(*) FROM inbox")
            spec = {**base, "mode": "closed", "seconds": seconds}
            count = int(seconds * MAX_RATE_GUESS)
            sustained = _run_load({**spec, "count": count, "watch_pid": api_pid})
            after = await db.value("SELECT count(*) FROM inbox")
            sustained["new_rows"] = after - before
            results["sustained"] = sustained

            print(f"fixed rate: {args.rate} req/s for {seconds} s …", file=sys.stderr)
            before = await db.value("SELECT count(*) FROM inbox")
            count = int(args.rate * seconds)
            fixed = _run_load(
                {**base, "mode": "open", "rate": args.rate, "seconds": seconds, "count": count}
            )
            fixed["new_rows"] = await db.value("SELECT count(*) FROM inbox") - before
            results["fixed"] = fixed

        # 4a: the HTTP stack alone.
        print(f"baseline: trivial Starlette app, {c} connections …", file=sys.stderr)
        port = _free_port()
        with _serving([__file__, "_trivial", str(port)], None, port) as (url, trivial_pid):
            spec = {"url": url, "path": "/webhooks/calendly", "concurrency": c, "mode": "closed"}
            _run_load({**spec, "seconds": 2, "count": 500})
            spec.update(seconds=seconds, count=int(seconds * 30_000), watch_pid=trivial_pid)
            trivial = _run_load({**spec, "bodies": 1000})
            results["trivial"] = trivial

        # 4b: Postgres alone, one commit per row.
        print(f"baseline: pgbench single-row inserts, {c} clients …", file=sys.stderr)
        payload = _bodies(1, datetime.now(UTC))[0][1].decode()
        pgbench = await _pgbench(db, c, args.pgbench_seconds, payload)
        results["pgbench"] = pgbench

        # 5: one worker draining the inbox.
        print(f"drain: {args.drain} deliveries, then one worker …", file=sys.stderr)
        drain = await _drain(db, redis_url, prefixes[1], args.drain, c)
        results["drain"] = drain
        machine["loadavg_after"] = _loadavg()
    finally:
        await db.drop()
        with contextlib.suppress(Exception):
            _delete_redis_keys(redis_url, prefixes)

    # -- the table ---------------------------------------------------------------------------
    s, f, t = results["sustained"], results["fixed"], results["trivial"]
    accepted_rate = s["ok"] / s["elapsed"]
    ledger_ok = s["ok"] == s["new_rows"] and f["ok"] == f["new_rows"]
    rows.append(
        Row(
            f"webinar-sync, {c} connections, {seconds} s: accepted/s",
            f"{accepted_rate:,.0f}",
            note=f"{s['requests']:,} requests, statuses {s['statuses']}; " + _cpu_note(s),
        )
    )
    rows.append(
        Row(
            "… latency p50 / p99 / max",
            f"{_fmt_ms(s['p50_ms'])} / {_fmt_ms(s['p99_ms'])} / {_fmt_ms(s['max_ms'])}",
        )
    )
    rows.append(
        Row(
            "… ledger: 2xx responses vs new inbox rows",
            f"{s['ok']:,} vs {s['new_rows']:,} (fixed rate: {f['ok']:,} vs {f['new_rows']:,})",
            "exact",
            "met" if ledger_ok else "MISSED",
        )
    )
    fixed_met = f["p99_ms"] <= 25 and f["ok"] == f["requests"]
    rows.append(
        Row(
            f"webinar-sync at {args.rate:g} req/s, {seconds} s: p50 / p99 / max",
            f"{_fmt_ms(f['p50_ms'])} / {_fmt_ms(f['p99_ms'])} / {_fmt_ms(f['max_ms'])}",
            "p99 ≤ 25 ms",
            ("met" if fixed_met else "MISSED")
            + f"; achieved {f['requests'] / f['elapsed']:,.0f} req/s, statuses {f['statuses']}",
        )
    )
    rows.append(
        Row(
            f"baseline: trivial Starlette 202, {c} connections: req/s",
            f"{t['ok'] / t['elapsed']:,.0f}",
            note=f"p50 {_fmt_ms(t['p50_ms'])}, p99 {_fmt_ms(t['p99_ms'])}; " + _cpu_note(t),
        )
    )
    if "tps" in pgbench:
        share = accepted_rate / pgbench["tps"]
        rows.append(
            Row(
                f"baseline: pgbench single-row INSERT+commit, {c} clients: tps",
                f"{pgbench['tps']:,.0f}",
                "webinar-sync ≥ 50 %",
                f"webinar-sync = {share:.0%}: " + ("met" if share >= 0.5 else "MISSED"),
            )
        )
    else:
        rows.append(Row("baseline: pgbench", "not run", note=pgbench.get("error", "")))
    d = results["drain"]
    rows.append(
        Row(
            f"drain, 1 worker (8 threads), {d['pending_before']:,} invitee.created",
            f"{d['rate_wall']:,.0f} events/s",
            note=(
                f"{d['done']:,} done in {d['wall_s']:.1f} s from worker start "
                f"({d['rate_steady']:,.0f}/s first→last processed_at); other: {d['other']}"
            ),
        )
    )
    print()
    print(
        f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['ram']} RAM, "
        f"PostgreSQL {machine['postgres']} (synchronous_commit={machine['synchronous_commit']}), "
        f"Python {machine['python']}; load average before/after: "
        f"{machine['loadavg_before']} / {machine['loadavg_after']}"
    )
    print()
    print("| measurement | figure | target | result / note |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row.what} | {row.figure} | {row.target} | {row.note} |")
    return results


def main(argv: list[str]) -> int:
    if argv[:1] == ["_load"]:
        return _load_main(argv[1])
    if argv[:1] == ["_trivial"]:
        return _trivial_main(int(argv[1]))
    parser = argparse.ArgumentParser(prog="bench/ingress.py", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each run (10)")
    parser.add_argument("--concurrency", type=int, default=64, help="connections (64)")
    parser.add_argument("--rate", type=float, default=500, help="fixed-rate run, req/s (500)")
    parser.add_argument("--drain", type=int, default=2000, help="deliveries to drain (2000)")
    parser.add_argument("--pgbench-seconds", type=int, default=10, help="pgbench -T (10)")
    parser.add_argument("--api-workers", type=int, default=1, help="API processes (1)")
    parser.add_argument("--json", help="also write the raw results to this file")
    args = parser.parse_args(argv)
    if not (1 <= args.seconds <= 60 and 1 <= args.concurrency <= 256 and args.rate > 0):
        parser.error("--seconds 1–60, --concurrency 1–256, --rate > 0")
    if not 1 <= args.drain <= 20_000:
        parser.error("--drain 1–20000")
    results = asyncio.run(_benchmark(args))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
