"""Fixtures of the fault tests: the sandbox Zoom they break, and worker environments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.booking_support import Sandbox, sandbox_zoom, zoom_env


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with sandbox_zoom() as url:
        yield url


@pytest.fixture
def sandbox(sandbox_url: str) -> Iterator[Sandbox]:
    sandbox = Sandbox(sandbox_url)
    yield sandbox
    sandbox.clear_faults()
    sandbox.settings(registrant_adds_per_day=3, unknown_users=[])


@pytest.fixture
def env(service_env: dict[str, str], sandbox_url: str) -> dict[str, str]:
    return zoom_env(service_env, sandbox_url)
