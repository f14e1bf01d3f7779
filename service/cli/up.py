"""`webinar-sync up`: the whole service on one machine, for trying it and for development.

Starts embedded Postgres and Redis when DATABASE_URL / REDIS_URL are unset (data under
./.data/), migrates, starts the sandbox vendors when credentials are absent, then runs
`api`, `worker` and `scheduler` as child processes. Ctrl-C or SIGTERM stops them all and
the embedded servers; children also get SIGTERM if `up` itself is killed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from service.adapters.embedded import EmbeddedPostgres, EmbeddedRedis, die_with_parent_signal
from service.adapters.migrations import migrate
from service.cli.ui_link import create_link
from service.config import Settings
from service.sandbox.calendly_context import CalendlySandboxSettings
from service.sandbox.dev_secrets import data_dir, dev_secrets_file
from service.sandbox.serve import free_port

STOP_TIMEOUT_S = 15
SANDBOX_ZOOM_CREDENTIALS = {
    "ZOOM_ACCOUNT_ID": "sandbox",
    "ZOOM_CLIENT_ID": "sandbox",
    "ZOOM_CLIENT_SECRET": "sandbox",
}


def say(message: str) -> None:
    print(f"webinar-sync up: {message}", file=sys.stderr, flush=True)


class Supervisor:
    """Owns the embedded servers and child processes, and stops all of them."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.postgres: EmbeddedPostgres | None = None
        self.redis: EmbeddedRedis | None = None

    def spawn(self, name: str, args: list[str], env: dict[str, str]) -> None:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "service", *args],
            env=env,
            preexec_fn=die_with_parent_signal,  # noqa: PLW1509
        )
        self.children.append((name, process))

    def first_exited(self) -> tuple[str, int] | None:
        for name, process in self.children:
            code = process.poll()
            if code is not None:
                return name, code
        return None

    def stop(self) -> None:
        for _name, process in self.children:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for name, process in self.children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop in time; killing it")
                process.kill()
                process.wait()
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()


def run(settings: Settings, _args: argparse.Namespace) -> int:
    supervisor = Supervisor()
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        env = _prepare(settings, supervisor)
        if stopping:
            return 0
        for name in ("api", "worker", "scheduler"):
            supervisor.spawn(name, [name], env)
        _announce(settings, env)
        while not stopping:
            exited = supervisor.first_exited()
            if exited is not None:
                say(f"{exited[0]} exited with status {exited[1]}; stopping everything")
                return 1
            time.sleep(0.2)
        say("stopping …")
        return 0
    finally:
        supervisor.stop()
        say("stopped")


def _prepare(settings: Settings, supervisor: Supervisor) -> dict[str, str]:
    env = dict(os.environ)
    data = data_dir()
    if settings.database_url is None:
        supervisor.postgres = EmbeddedPostgres(data / "postgres")
        env["DATABASE_URL"] = supervisor.postgres.start()
        say(f"embedded PostgreSQL on {env['DATABASE_URL']} (data in {data / 'postgres'})")
    if settings.redis_url is None:
        supervisor.redis = EmbeddedRedis(data / "redis")
        env["REDIS_URL"] = supervisor.redis.start()
        say(f"embedded Redis on {env['REDIS_URL']}")
    applied = asyncio.run(migrate(env["DATABASE_URL"]))
    say(f"migrations applied: {', '.join(applied)}" if applied else "migrations current")
    env.update(_dev_secrets(settings, data))
    if not settings.zoom_configured:
        port = free_port()
        supervisor.spawn("sandbox-zoom", ["sandbox", "zoom", "--port", str(port)], env)
        env.update(SANDBOX_ZOOM_CREDENTIALS)
        env["ZOOM_OAUTH_TOKEN_URL"] = f"http://127.0.0.1:{port}/oauth/token"
        env["ZOOM_API_BASE_URL"] = f"http://127.0.0.1:{port}/v2"
        _wait_for(f"http://127.0.0.1:{port}/_sandbox/state", "sandbox Zoom")
    if not settings.calendly_configured:
        port = free_port()
        supervisor.spawn("sandbox-calendly", ["sandbox", "calendly", "--port", str(port)], env)
        env["CALENDLY_API_TOKEN"] = CalendlySandboxSettings().token
        env["CALENDLY_API_BASE_URL"] = f"http://127.0.0.1:{port}"
        _wait_for(f"http://127.0.0.1:{port}/_sandbox/requests", "sandbox Calendly")
        _subscribe_sandbox_calendly(env)
    return env


def _subscribe_sandbox_calendly(env: dict[str, str]) -> None:
    """Point the sandbox's webhooks at our API, as `calendly subscribe` does for a real account,
    so that bookings made in the sandbox arrive like real ones."""
    result = subprocess.run(
        [sys.executable, "-m", "service", "calendly", "subscribe"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode == 0:
        say("sandbox Calendly delivers its webhooks to /webhooks/calendly")
    else:
        say(f"could not subscribe to the sandbox Calendly: {result.stderr.strip()[-300:]}")


def _dev_secrets(settings: Settings, data: Path) -> dict[str, str]:
    """Webhook secrets for a local run: generated once, kept in .data/dev-secrets.json.

    They are written to a file (mode 600), never printed, so logs stay free of secrets.
    """
    path = dev_secrets_file()
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    generated = {
        "CALENDLY_WEBHOOK_SIGNING_KEYS": secrets.token_urlsafe(32),
        "BOOKING_WEBHOOK_SECRETS": "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode(),
    }
    configured = {
        "CALENDLY_WEBHOOK_SIGNING_KEYS": bool(settings.calendly_webhook_signing_keys),
        "BOOKING_WEBHOOK_SECRETS": bool(settings.booking_webhook_secrets),
    }
    chosen = {
        name: stored.get(name) or fresh for name, fresh in generated.items() if not configured[name]
    }
    if chosen:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**stored, **chosen}, indent=2))
        path.chmod(0o600)
        say(f"webhook secrets for this local run are in {path}")
    return chosen


def _wait_for(url: str, what: str, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start on {url}")


def _announce(settings: Settings, env: dict[str, str]) -> None:
    say(f"API on http://{settings.host}:{settings.port}  (readiness: /readyz, docs: /openapi.json)")
    if not settings.zoom_configured:
        say("!!! ZOOM: SANDBOX — no ZOOM_* credentials set; nothing reaches real Zoom !!!")
        say(f"    sandbox Zoom at {env['ZOOM_API_BASE_URL'].removesuffix('/v2')}")
    else:
        say("Zoom: real account")
    if not settings.calendly_configured:
        say("!!! CALENDLY: SANDBOX — no CALENDLY_API_TOKEN set; nothing reaches real Calendly !!!")
        say(f"    sandbox Calendly at {env['CALENDLY_API_BASE_URL']}")
    else:
        say("Calendly: real account")
    name = f"local-admin-{secrets.token_hex(3)}"
    url = asyncio.run(create_link(env["DATABASE_URL"], settings.public_base_url, name, "admin"))
    say(f"sign in to the web UI (once, within 15 minutes): {url}")
