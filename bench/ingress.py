"""Ingress and drain benchmark: `POST /webhooks/calendly` against real API processes, with
baselines measured in the same run, so the figures that matter are ratios.

    .venv/bin/python -m bench.ingress                       # the whole table (docs/benchmarks.md)
    .venv/bin/python -m bench.ingress --api-workers 1 --drain 0 --seconds 5   # a quick look

What it does, all on this machine (traffic only to 127.0.0.1):

1. checks the machine is quiet (CPU use of others, load average) and says loudly if not;
2. creates a fresh database on the server of DATABASE_URL and migrates it; a unique Redis
   key prefix;
3. for each API process count of --api-workers (`webinar-sync api --workers N`): closed loop
   with each of --connections (keep-alive, distinct signed deliveries): accepted/s, p99, and
   the ledger (2xx answers == new inbox rows, exactly); then a fixed rate (--rate req/s, open
   loop, latency from each request's scheduled start): p99;
4. baselines with the same connection counts: a trivial Starlette app answering 202 on the
   same uvicorn and load client (`bench/trivial_app.py`), and `pgbench` with one durable
   inbox-shaped single-row INSERT per transaction (`bench/harness.py`);
5. drain (--drain N): N `invitee.created` accepted with no worker, then 1, then 2 `worker`
   processes started and timed until every row is `done`;
6. drops the database, deletes its Redis keys, prints the Markdown tables.

The load client is its own process (`bench/load_client.py`). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import harness
from bench.harness import Database, Process, free_port, service_env, serving
from bench.load_client import bodies, run_load

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
MAX_RATE_GUESS = 8_000  # bodies pre-built per second of a closed-loop run (its count bound)
PATH = "/webhooks/calendly"


@dataclass
class Run:
    args: argparse.Namespace
    db: Database
    redis_url: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    prefixes: list[str] = field(default_factory=list)

    def env(self, port: int, what: str) -> dict[str, str]:
        prefix = f"ws-bench-{self.run_id}-{what}"
        self.prefixes.append(prefix)
        return service_env(self.db.dsn, self.redis_url, prefix, port)


async def _inbox_rows(db: Database) -> int:
    rows: int = await db.value("SELECT count(*) FROM inbox")
    return rows


async def _service(run: Run, workers: int) -> dict[str, Any]:
    """Closed loop at each connection count, then the fixed rate, against N API processes."""
    args, result = run.args, {}
    port = free_port()
    api = ["-m", "service", "api", "--workers", str(workers)]
    with serving(api, run.env(port, f"api{workers}"), port, ready="/readyz") as (url, pid):
        base = {"url": url, "path": PATH}
        run_load({**base, "mode": "closed", "concurrency": 16, "seconds": 2, "count": 2000})
        for connections in args.connections:
            print(f"{workers} API process(es), {connections} connections …", file=sys.stderr)
            before = await _inbox_rows(run.db)
            spec = {**base, "mode": "closed", "concurrency": connections}
            spec.update(seconds=args.seconds, count=int(args.seconds * MAX_RATE_GUESS))
            load = run_load({**spec, "watch_pid": pid})
            load["new_rows"] = await _inbox_rows(run.db) - before
            result[f"closed_{connections}"] = load
        print(f"{workers} API process(es), {args.rate:g} req/s …", file=sys.stderr)
        before = await _inbox_rows(run.db)
        spec = {**base, "mode": "open", "rate": args.rate, "concurrency": 64}
        load = run_load({**spec, "seconds": args.seconds, "count": int(args.rate * args.seconds)})
        load["new_rows"] = await _inbox_rows(run.db) - before
        result["fixed"] = load
    return result


async def _trivial(run: Run) -> dict[str, Any]:
    result = {}
    port = free_port()
    with serving(["-m", "bench.trivial_app", str(port)], None, port) as (url, pid):
        spec = {"url": url, "path": PATH, "mode": "closed", "bodies": 1000}
        run_load({**spec, "concurrency": 16, "seconds": 2, "count": 2000})
        for connections in run.args.connections:
            print(f"trivial app, {connections} connections …", file=sys.stderr)
            count = int(run.args.seconds * 40_000)
            spec.update(concurrency=connections, seconds=run.args.seconds, count=count)
            result[f"closed_{connections}"] = run_load({**spec, "watch_pid": pid})
    return result


async def _pgbench(run: Run) -> dict[str, Any]:
    payload = bodies(1, datetime.now(UTC))[0][1].decode()
    result = {}
    for clients in run.args.connections:
        print(f"pgbench, {clients} clients …", file=sys.stderr)
        result[f"closed_{clients}"] = await harness.pgbench(
            run.db, clients, int(run.args.seconds), payload
        )
    return result


async def _drain(run: Run, workers: int) -> dict[str, Any]:
    """Accept `--drain` deliveries with no worker, then time `workers` workers until all done."""
    db, count = run.db, run.args.drain
    watermark = await db.value("SELECT coalesce(max(id), 0) FROM inbox")
    port = free_port()
    env = run.env(port, f"drain{workers}")
    with serving(["-m", "service", "api", "--workers", "2"], env, port, ready="/readyz") as (
        url,
        _,
    ):
        spec = {"url": url, "path": PATH, "mode": "closed", "concurrency": 64}
        posted = run_load({**spec, "seconds": 120, "count": count})
    pending = await db.value(
        "SELECT count(*) FROM inbox WHERE id > $1 AND status = 'pending'", watermark
    )
    print(f"drain: {pending} pending, {workers} worker(s) …", file=sys.stderr)
    processes = [Process(["-m", "service", "worker"], env) for _ in range(workers)]
    started = time.perf_counter()
    try:
        done = 0
        while time.perf_counter() < started + 300 and done < pending:
            await asyncio.sleep(0.05)
            done = await db.value(
                "SELECT count(*) FROM inbox WHERE id > $1 AND status = 'done'", watermark
            )
        wall = time.perf_counter() - started
    finally:
        for process in processes:
            process.stop()
    spread = await db.value(
        "SELECT extract(epoch FROM max(processed_at) - min(processed_at)) FROM inbox "
        "WHERE id > $1 AND status = 'done'",
        watermark,
    )
    other = await db.value(
        "SELECT count(*) FROM inbox WHERE id > $1 AND status NOT IN ('done', 'pending')", watermark
    )
    return {
        "accepted": posted["statuses"].get("202", 0),
        "pending_before": pending,
        "done": done,
        "other": other,
        "wall_s": wall,
        "rate_wall": done / wall,
        "rate_steady": done / float(spread) if spread else float("nan"),
    }


async def _benchmark(args: argparse.Namespace) -> dict[str, Any]:
    quiet, seen = harness.quietness()
    machine = harness.machine()
    results: dict[str, Any] = {"machine": machine, "args": vars(args), "quiet": quiet}
    machine["before"] = seen
    if not quiet:
        print(_NOT_QUIET.format(seen=seen), file=sys.stderr)
    run = Run(
        args,
        Database(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
        os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
    )
    await run.db.create()
    try:
        machine["postgres"] = await run.db.value("SHOW server_version")
        machine["synchronous_commit"] = await run.db.value("SHOW synchronous_commit")
        for workers in args.api_workers:
            results[f"api_{workers}"] = await _service(run, workers)
        results["trivial"] = await _trivial(run)
        results["pgbench"] = await _pgbench(run)
        if args.drain:
            for workers in (1, 2):
                results[f"drain_{workers}"] = await _drain(run, workers)
        machine["loadavg_after"] = harness.loadavg()
    finally:
        await run.db.drop()
        with contextlib.suppress(Exception):
            harness.delete_redis_keys(run.redis_url, run.prefixes)
    return results


_NOT_QUIET = """
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!! THE MACHINE IS NOT QUIET: {seen}.
!! Absolute figures are low and noisy; only the same-run ratios mean something.
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
"""


def _ms(value: float) -> str:
    return f"{value:.1f} ms"


def _verdict(met: bool) -> str:
    return "**met**" if met else "**MISSED**"


def report(results: dict[str, Any]) -> str:
    """The Markdown tables of one run (what docs/benchmarks.md shows)."""
    args, m = results["args"], results["machine"]
    lines = [
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram']} RAM, PostgreSQL {m['postgres']} "
        f"(synchronous_commit={m['synchronous_commit']}), Python {m['python']}. "
        f"Before the run: {m['before']}"
        + ("" if results["quiet"] else " — **NOT QUIET**")
        + f"; load average after: {m['loadavg_after']}.",
        "",
        "| what | connections | accepted/s | p99 | share of pgbench | share of trivial "
        "| ledger (2xx = new rows) | CPU |",
        "|---|---|---|---|---|---|---|---|",
    ]
    trivial, pgbench = results["trivial"], results["pgbench"]
    for c in args["connections"]:
        t, p = trivial[f"closed_{c}"], pgbench[f"closed_{c}"]
        rate = t["ok"] / t["elapsed"]
        lines.append(
            f"| trivial Starlette 202, same uvicorn | {c} | {rate:,.0f} | {_ms(t['p99_ms'])} "
            f"| | | | {_cpu(t)} |"
        )
        if "tps" in p:
            lines.append(
                f"| pgbench, one inbox-shaped INSERT + commit per transaction | {c} "
                f"| {p['tps']:,.0f} tps | {_ms(p['p99_ms'])} | | | | |"
            )
    for workers in args["api_workers"]:
        s = results[f"api_{workers}"]
        for c in args["connections"]:
            load = s[f"closed_{c}"]
            rate = load["ok"] / load["elapsed"]
            t, p = trivial[f"closed_{c}"], pgbench[f"closed_{c}"]
            share_pg = f"{rate / p['tps']:.1%}" if "tps" in p else "n/a"
            share_t = f"{rate / (t['ok'] / t['elapsed']):.1%}"
            ledger = f"{load['ok']:,} = {load['new_rows']:,}"
            exact = load["ok"] == load["new_rows"] and load["ok"] == load["requests"]
            lines.append(
                f"| webinar-sync `api --workers {workers}` | {c} | {rate:,.0f} "
                f"| {_ms(load['p99_ms'])} | {share_pg} | {share_t} "
                f"| {ledger} {'exact' if exact else '**NOT EXACT**'} | {_cpu(load)} |"
            )
    lines += ["", "| what | achieved | p50 | p99 | ledger |", "|---|---|---|---|---|"]
    for workers in args["api_workers"]:
        f = results[f"api_{workers}"]["fixed"]
        lines.append(
            f"| `api --workers {workers}` at {args['rate']:g} req/s "
            f"| {f['requests'] / f['elapsed']:,.0f} req/s | {_ms(f['p50_ms'])} "
            f"| {_ms(f['p99_ms'])} | {f['ok']:,} = {f['new_rows']:,} |"
        )
    if args["drain"]:
        lines += ["", "| drain | events | events/s (wall) | first→last processed | other |"]
        lines.append("|---|---|---|---|---|")
        for workers in (1, 2):
            d = results[f"drain_{workers}"]
            lines.append(
                f"| {workers} `worker` process(es) | {d['done']:,} of {d['pending_before']:,} "
                f"| {d['rate_wall']:,.0f} | {d['rate_steady']:,.0f}/s | {d['other']} |"
            )
    lines += ["", *_targets(results)]
    return "\n".join(lines)


def _cpu(load: dict[str, Any]) -> str:
    """The server's CPU per answered request: what a busy machine distorts least."""
    cpu = load.get("cpu")
    if not cpu:
        return ""
    per_request = cpu["process_cores"] * load["elapsed"] / max(1, load["ok"]) * 1e6
    return (
        f"{per_request:,.0f} µs per request; server {cpu['process_cores']:.0%} of a core, "
        f"machine {cpu['machine_busy']:.0%}"
    )


def _targets(results: dict[str, Any]) -> list[str]:
    """Issue 13's targets, where this run measured them."""
    out = []
    pg = results["pgbench"]

    def share(workers: int, c: int) -> float | None:
        s = results.get(f"api_{workers}", {}).get(f"closed_{c}")
        p = pg.get(f"closed_{c}", {})
        return s["ok"] / s["elapsed"] / p["tps"] if s and "tps" in p else None

    if (one := share(1, 16)) is not None:
        out.append(f"- 1 API process ≥ 40 % of pgbench at 16: {one:.1%} {_verdict(one >= 0.4)}")
    if (two := share(2, 64)) is not None:
        out.append(f"- 2 API processes ≥ 60 % of pgbench at 64: {two:.1%} {_verdict(two >= 0.6)}")
    if "api_1" in results:
        p99 = results["api_1"]["fixed"]["p99_ms"]
        out.append(f"- p99 ≤ 10 ms at a fixed rate (1 process): {_ms(p99)} {_verdict(p99 <= 10)}")
    for workers, target in ((1, 2000), (2, 3500)):
        if d := results.get(f"drain_{workers}"):
            rate = d["rate_wall"]
            out.append(
                f"- drain, {workers} worker(s) ≥ {target:,}/s: {rate:,.0f}/s "
                f"{_verdict(rate >= target)}"
            )
    return out


def _counts(text: str) -> list[int]:
    return [int(part) for part in text.split(",")]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.ingress", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each run (10)")
    parser.add_argument("--connections", type=_counts, default=[16, 64], help="(16,64)")
    parser.add_argument("--rate", type=float, default=1000, help="fixed rate, req/s (1000)")
    parser.add_argument("--api-workers", type=_counts, default=[1, 2, 4], help="(1,2,4)")
    parser.add_argument("--drain", type=int, default=5000, help="deliveries to drain; 0: none")
    parser.add_argument("--json", help="also write the raw results to this file")
    args = parser.parse_args(argv)
    if not (1 <= args.seconds <= 60 and args.rate > 0 and 0 <= args.drain <= 50_000):
        parser.error("--seconds 1–60, --rate > 0, --drain 0–50000")
    if not all(1 <= c <= 256 for c in args.connections) or not all(
        1 <= w <= 8 for w in args.api_workers
    ):
        parser.error("--connections 1–256 each, --api-workers 1–8 each")
    results = asyncio.run(_benchmark(args))
    print(report(results))
    if not results["quiet"]:
        print(_NOT_QUIET.format(seen=results["machine"]["before"]))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
