"""Fixtures of the fault tests: the sandbox Zoom they break, and worker environments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.booking_support import Sandbox, zoom_env


@pytest.fixture
def sandbox(zoom_sandbox_url: str) -> Iterator[Sandbox]:
    sandbox = Sandbox(zoom_sandbox_url)
    yield sandbox
    sandbox.clear_faults()
    sandbox.settings(registrant_adds_per_day=3, unknown_users=[])


@pytest.fixture
def env(service_env: dict[str, str], zoom_sandbox_url: str) -> dict[str, str]:
    return zoom_env(service_env, zoom_sandbox_url)
