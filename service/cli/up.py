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
from service.sandbox.dev_secrets import data_dir, dev_secrets_file, sandbox_urls_file
from service.sandbox.serve import free_port

STOP_TIMEOUT_S = 15
SERVICE_PROCESSES = ("api", "worker", "scheduler")
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

    @staticmethod
    def _stop_children(children: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
        for _name, process in children:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for name, process in children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop in time; killing it")
                process.kill()
                process.wait()

    def first_exited(self) -> tuple[str, int] | None:
        for name, process in self.children:
            code = process.poll()
            if code is not None:
                return name, code
        return None

    def stop(self) -> None:
        """The service first, then the sandbox vendors it calls, then Redis and Postgres:
        nothing loses a server it still talks to (no connection errors on a clean stop)."""
        service = [(n, p) for n, p in self.children if n in SERVICE_PROCESSES]
        self._stop_children(service)
        self._stop_children([(n, p) for n, p in self.children if n not in SERVICE_PROCESSES])
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()


def run(settings: Settings, args: argparse.Namespace) -> int:
    refusal = sandbox_refusal(settings, allowed=args.sandbox)
    if refusal is not None:
        say(refusal)
        return 2
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
        for name in SERVICE_PROCESSES:
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


def sandbox_refusal(settings: Settings, *, allowed: bool) -> str | None:
    """Sandbox vendors belong with embedded servers: against a Postgres or Redis someone
    gave us, a sandbox worker would take that deployment's real Zoom work and mark it done
    with fake ids. Refused unless `--sandbox` says it is meant."""
    sandboxes = [
        name
        for name, real in (
            ("Zoom", settings.zoom_configured),
            ("Calendly", settings.calendly_configured),
        )
        if not real
    ]
    given = [
        name
        for name, value in (
            ("DATABASE_URL", settings.database_url),
            ("REDIS_URL", settings.redis_url),
        )
        if value
    ]
    if not sandboxes or not given or allowed:
        return None
    return (
        f"refusing to start: {' and '.join(given)} point at servers you gave, but "
        f"{' and '.join(sandboxes)} would be the sandbox (no credentials set). Set the "
        "credentials, unset those URLs (embedded servers), or pass --sandbox if this "
        "database is a scratch one."
    )


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
    if not (settings.zoom_configured and settings.calendly_configured):
        # Its own Redis keys: queues and the cached Zoom token are never a real deployment's.
        env["REDIS_KEY_PREFIX"] = f"{settings.redis_key_prefix}-sandbox"
    if not settings.zoom_configured:
        port = free_port()
        supervisor.spawn("sandbox-zoom", ["sandbox", "zoom", "--port", str(port)], env)
        env.update(SANDBOX_ZOOM_CREDENTIALS)
        env["ZOOM_OAUTH_TOKEN_URL"] = f"http://127.0.0.1:{port}/oauth/token"
        env["ZOOM_API_BASE_URL"] = f"http://127.0.0.1:{port}/v2"
        _wait_for(f"http://127.0.0.1:{port}/_sandbox/state", "sandbox Zoom")
        _subscribe_sandbox_zoom(f"http://127.0.0.1:{port}", settings, env)
    if not settings.calendly_configured:
        port = free_port()
        supervisor.spawn("sandbox-calendly", ["sandbox", "calendly", "--port", str(port)], env)
        env["CALENDLY_API_TOKEN"] = CalendlySandboxSettings().token
        env["CALENDLY_API_BASE_URL"] = f"http://127.0.0.1:{port}"
        _wait_for(f"http://127.0.0.1:{port}/_sandbox/requests", "sandbox Calendly")
        _subscribe_sandbox_calendly(env)
    _remember_sandbox_urls(env, settings)
    return env


def _subscribe_sandbox_zoom(url: str, settings: Settings, env: dict[str, str]) -> None:
    """The sandbox Zoom sends `meeting.ended` to our API, signed as Zoom signs it."""
    configured = settings.zoom_webhook_secret_token
    secret = env.get("ZOOM_WEBHOOK_SECRET_TOKEN") or (
        configured.get_secret_value() if configured else None
    )
    if not secret:
        return
    body = {
        "webhook_url": f"{settings.public_base_url}/webhooks/zoom",
        "webhook_secret_token": secret,
    }
    httpx.post(f"{url}/_sandbox/settings", json=body, timeout=10).raise_for_status()
    say("sandbox Zoom delivers meeting.ended to /webhooks/zoom")


def _remember_sandbox_urls(env: dict[str, str], settings: Settings) -> None:
    """For `sandbox hold-meeting` in another shell: where this run's sandboxes listen."""
    urls = {}
    if not settings.zoom_configured:
        urls["zoom"] = env["ZOOM_API_BASE_URL"].removesuffix("/v2")
    if not settings.calendly_configured:
        urls["calendly"] = env["CALENDLY_API_BASE_URL"]
    path = sandbox_urls_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(urls, indent=2))


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
        "ZOOM_WEBHOOK_SECRET_TOKEN": secrets.token_urlsafe(24),
    }
    configured = {
        "CALENDLY_WEBHOOK_SIGNING_KEYS": bool(settings.calendly_webhook_signing_keys),
        "BOOKING_WEBHOOK_SECRETS": bool(settings.booking_webhook_secrets),
        # Only the sandbox Zoom needs one made up; a real account brings its own.
        "ZOOM_WEBHOOK_SECRET_TOKEN": bool(settings.zoom_webhook_secret_token)
        or settings.zoom_configured,
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
