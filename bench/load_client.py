"""The benchmarks' HTTP load client: C keep-alive connections, closed loop or a fixed rate.

    .venv/bin/python -m bench.load_client SPEC_JSON     (bench/ingress.py runs it; prints JSON)

A process of its own, so its CPU is not the server's. Requests are realistic signed
`invitee.created` deliveries built with the sandbox's own `scenario` / `build_delivery`,
signed right before the run (signatures are good for ±180 s), every one distinct unless the
spec says `bodies` (the trivial baseline stores nothing, so it may cycle through a few).

SPEC: `mode` "closed" (`concurrency` connections for `seconds`, at most `count` requests) or
"open" (`rate` req/s for `seconds`; latency measured from each request's scheduled start, so a
stalled server cannot hide its queueing); `url`, `path`; optional `watch_pid` (CPU used by that
process and by the whole machine during the run).
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import uvloop

from service.sandbox.calendly_push import build_delivery, scenario

ROOT = Path(__file__).resolve().parents[1]
SIGNING_KEY = "bench-calendly-signing-key"
GROUP = 20  # invitees per scheduled event in the generated deliveries


def bodies(count: int, now: datetime) -> list[tuple[dict[str, str], bytes]]:

    pushes = scenario(
        "invitee.created", count=count, group=GROUP, reschedule=False, location="zoom", now=now
    )
    return [build_delivery(event, payload, SIGNING_KEY, now) for event, payload in pushes]


def percentile(sorted_values: list[float], fraction: float) -> float:
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
    deliveries = bodies(spec.get("bodies", spec["count"]), datetime.now(UTC))
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

    meter = CpuMeter(spec["watch_pid"]) if "watch_pid" in spec else None
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
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": latencies[-1] * 1000 if latencies else float("nan"),
        "cpu": cpu,
    }


class CpuMeter:
    """CPU used by a process (and its children: uvicorn's workers) and by the whole machine
    between creation and read()."""

    def __init__(self, pid: int) -> None:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        self.pids = [pid, *map(int, children)]
        self.start = self._sample()

    def _sample(self) -> tuple[float, int, int, int]:
        process = 0
        for pid in self.pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            process += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
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


def run_load(spec: dict[str, Any]) -> dict[str, Any]:
    """Runs one load in its own process and returns its figures."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.load_client", json.dumps(spec)],
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


if __name__ == "__main__":
    print(json.dumps(uvloop.run(_load(json.loads(sys.argv[1])))))
