"""docker-compose.yml runs the processes `webinar-sync up` runs, against real Postgres and Redis."""

from __future__ import annotations

from typing import Any

import yaml

from tests.support import ROOT


def _compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def test_compose_runs_migrate_api_worker_and_scheduler_from_one_image() -> None:
    services = _compose()["services"]
    commands = {name: spec.get("command") for name, spec in services.items()}
    assert commands["migrate"] == ["migrate"]
    assert commands["api"] == ["api"]
    assert commands["worker"] == ["worker"]
    assert commands["scheduler"] == ["scheduler"]
    assert {services[name]["image"] for name in ("migrate", "api", "worker", "scheduler")} == {
        "webinar-sync:latest"
    }
    for name in ("api", "worker", "scheduler"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_compose_points_every_process_at_its_postgres_and_redis() -> None:
    services = _compose()["services"]
    for name in ("migrate", "api", "worker", "scheduler"):
        env = services[name]["environment"]
        assert (
            env["DATABASE_URL"].startswith("postgresql://")
            and "@postgres:5432/" in env["DATABASE_URL"]
        )
        assert env["REDIS_URL"] == "redis://redis:6379/0"
