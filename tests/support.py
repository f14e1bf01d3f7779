"""Helpers the tests share: processes, databases, polling."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from service.adapters.migrations import migrate
from service.adapters.vendor_calls import VendorCall

ROOT = Path(__file__).resolve().parents[1]
CALENDLY_TEST_KEY = "test-calendly-signing-key"
BOOKING_TEST_SECRET = "whsec_" + "dGVzdC1ib29raW5nLXNlY3JldC0xMjM0NTY="
T = TypeVar("T")


@dataclass(frozen=True)
class Servers:
    postgres_dsn: str  # the server's maintenance database
    redis_url: str


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def create_database(servers: Servers, *, migrated: bool = True) -> str:
    name = f"ws_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(servers.postgres_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    dsn = with_database(servers.postgres_dsn, name)
    if migrated:
        await migrate(dsn)
    return dsn


async def drop_database(servers: Servers, dsn: str, attempts: int = 3) -> None:
    """Drop a test database, ending its sessions; tried again if our own session is cut.

    Rarely the connection issuing DROP … WITH (FORCE) is itself closed mid-statement
    (seen at session end while worker processes were still exiting); a new connection
    then finds the database gone or drops it.
    """
    name = urlsplit(dsn).path.lstrip("/")
    for attempt in range(1, attempts + 1):
        try:
            conn = await asyncpg.connect(servers.postgres_dsn)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()
            return
        except (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError):
            if attempt == attempts:
                raise
            await asyncio.sleep(0.5)  # back-off before a new connection tries again


@contextmanager
def fresh_database(servers: Servers) -> Iterator[str]:
    """A migrated database of its own on the session's Postgres, dropped afterwards."""
    dsn = asyncio.run(create_database(servers))
    try:
        yield dsn
    finally:
        asyncio.run(drop_database(servers, dsn))


def service_environment(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment a webinar-sync process of this test session runs with."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ZOOM_", "CALENDLY_", "BOOKING_"))
    }
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        REDIS_KEY_PREFIX=f"ws-test-{uuid.uuid4().hex[:10]}",
        CALENDLY_WEBHOOK_SIGNING_KEYS=CALENDLY_TEST_KEY,
        BOOKING_WEBHOOK_SECRETS=BOOKING_TEST_SECRET,
        RELAY_GRACE_SECONDS="2",
        OUTBOX_LEASE_SECONDS="10",
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


def run_service(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`webinar-sync ARGS` run to its end (within `timeout` s), its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class FakeClock:
    """Unix time the test moves by hand (`clock.now += …`): token expiry, rate windows."""

    def __init__(self, start: datetime) -> None:
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now


class Recorder:
    """A vendor client's call recorder that keeps the calls in memory, for the test to read."""

    def __init__(self) -> None:
        self.calls: list[VendorCall] = []

    async def record(self, call: VendorCall) -> None:
        self.calls.append(call)


class ServiceProcess:
    """A real `webinar-sync <command>` child process (worker, scheduler …)."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args = args
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service", *self.args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self

    def kill(self) -> None:
        """SIGKILL: no cleanup, no acknowledgements — what a crash does."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self, timeout: float = 20) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


Spawn = Callable[..., ServiceProcess]  # the `spawn` fixture: start a command, stopped afterwards


async def eventually(
    check: Callable[[], Awaitable[T]], within: float = 20, interval: float = 0.1
) -> T:
    """Poll an async predicate until it returns a truthy value."""
    deadline = time.monotonic() + within
    last: T | None = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {within}s (last value: {last!r})")


def eventually_sync(check: Callable[[], T], within: float = 20, interval: float = 0.1) -> T:
    """`eventually` for tests without an event loop: poll a predicate until it is truthy."""
    deadline = time.monotonic() + within
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {within}s (last value: {last!r})")
