"""Fixtures of the integration tests: the module's real worker process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import ServiceProcess


@pytest.fixture(scope="module")
def worker_env(service_env: dict[str, str]) -> dict[str, str]:
    """What the module's worker runs with; a module whose worker talks to a sandbox overrides it."""
    return service_env


@pytest.fixture(scope="module")
def worker(worker_env: dict[str, str]) -> Iterator[ServiceProcess]:
    """A real `webinar-sync worker` for the module's tests, stopped after the module."""
    process = ServiceProcess(["worker", "--threads", "4"], worker_env).start()
    yield process
    process.stop()
