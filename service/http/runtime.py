"""What a running API process holds: settings, the Postgres pool, Redis, the courier."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import redis.asyncio as aioredis
from starlette.requests import Request
from starlette.types import Scope

from service.adapters.broker import Courier
from service.config import Settings
from service.http.inbox_writer import InboxWriter
from service.http.token_cache import TokenCache


@dataclass
class ApiRuntime:
    settings: Settings
    pool: asyncpg.Pool
    redis: aioredis.Redis
    courier: Courier
    inbox: InboxWriter
    tokens: TokenCache


def runtime_of(scope: Scope) -> ApiRuntime:
    runtime: ApiRuntime = scope["state"]["runtime"]
    return runtime


def runtime(request: Request) -> ApiRuntime:
    return runtime_of(request.scope)
