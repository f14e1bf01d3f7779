"""Bearer tokens and roles (CONTRACT §5): closed by default, hashed at rest."""

from __future__ import annotations

import subprocess

import asyncpg
import httpx

from service.adapters.api_tokens import hash_token
from tests.support import eventually, run_service


async def test_no_token_is_401_with_the_error_envelope(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/v1/notifications")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {
        "error": {
            "code": "unauthenticated",
            "message": "a valid bearer token is required",
            "details": [],
        }
    }


async def test_wrong_token_is_401(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/api/v1/notifications", headers={"Authorization": "Bearer wst_not-a-real-token"}
    )
    assert response.status_code == 401


async def test_unknown_route_under_api_is_closed_too(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/v1/no-such-thing")).status_code == 401


async def test_ops_reads_but_may_not_act_outside_ops(
    http: httpx.AsyncClient, ops_token: str
) -> None:
    headers = {"Authorization": f"Bearer {ops_token}"}
    assert (await http.get("/api/v1/notifications", headers=headers)).status_code == 200
    forbidden = await http.post("/api/v1/calendly/sync", headers=headers, json={"mode": "full"})
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "forbidden"


async def test_admin_may_read(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/api/v1/notifications")
    assert response.status_code == 200
    assert set(response.json()) == {"items", "next_cursor"}


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_service("token", *args, env=env)


async def test_token_cli_create_list_revoke(
    service_env: dict[str, str], pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    created = _cli(service_env, "create", "--role", "ops", "--name", "cli-ops")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("wst_")

    async with pool.acquire() as conn:
        stored = await conn.fetchrow("SELECT * FROM api_tokens WHERE name = 'cli-ops'")
    assert stored["token_hash"] == hash_token(token)
    assert token not in {str(value) for value in stored.values()}

    headers = {"Authorization": f"Bearer {token}"}
    assert (await http.get("/api/v1/notifications", headers=headers)).status_code == 200

    listed = _cli(service_env, "list")
    assert "cli-ops\tops\tactive" in listed.stdout
    assert token not in listed.stdout

    again = _cli(service_env, "create", "--role", "admin", "--name", "cli-ops")
    assert again.returncode == 1 and "exists already" in again.stderr

    assert _cli(service_env, "revoke", "cli-ops").returncode == 0

    async def refused() -> bool:  # within seconds: service/http/token_cache.py
        return (await http.get("/api/v1/notifications", headers=headers)).status_code == 401

    await eventually(refused, within=10)
    assert _cli(service_env, "revoke", "cli-ops").returncode == 1
