"""The sandbox Calendly for admin tests: served in this process, reset per test.

Import `sandbox_fixture` and `sandbox_url_fixture` into a test module to use `sandbox`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest

from service.adapters.sync_jobs import SyncRequest
from service.config import Settings, load_settings
from service.domain.sync_jobs import SyncMode
from service.sandbox.calendly import create_app
from service.sandbox.serve import serving
from service.services.calendly_sync import SyncOutcome, request_sync, run_sync

TOKEN = "sandbox-calendly-token"


@dataclass
class Sandbox:
    url: str
    control: httpx.AsyncClient
    user: str
    organization: str

    async def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.control.post(f"/_sandbox/{path}", json=body or {})
        assert response.is_success, response.text
        result: dict[str, Any] = response.json()
        return result

    async def requests(self, path: str = ".*") -> list[dict[str, Any]]:
        response = await self.control.get("/_sandbox/requests", params={"path": path})
        logged: list[dict[str, Any]] = response.json()["requests"]
        return logged

    def env(self, service_env: dict[str, str], **extra: str) -> dict[str, str]:
        return {
            **service_env,
            "CALENDLY_API_BASE_URL": self.url,
            "CALENDLY_API_TOKEN": TOKEN,
            **extra,
        }


@pytest.fixture(scope="module", name="sandbox_url")
def sandbox_url_fixture() -> Iterator[str]:
    with serving(create_app()) as url:
        yield url


@pytest.fixture(name="sandbox")
async def sandbox_fixture(sandbox_url: str) -> AsyncIterator[Sandbox]:
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=30) as control:
        info = (await control.post("/_sandbox/reset")).json()
        yield Sandbox(sandbox_url, control, info["user"], info["organization"])


def sandbox_settings(sandbox: Sandbox, service_env: dict[str, str], **extra: str) -> Settings:
    return load_settings(sandbox.env(service_env, **extra))


async def sync_now(
    pool: asyncpg.Pool, settings: Settings, request: SyncRequest | None = None
) -> tuple[uuid.UUID, SyncOutcome]:
    job_id = await request_sync(pool, request or SyncRequest(SyncMode.RECENT), "test")
    outcome = await run_sync(pool, settings, job_id)
    assert outcome is not None
    return job_id, outcome
