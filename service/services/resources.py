"""What a use case needs from the process that calls it: the Postgres pool and the courier.

A structural type, so the API's and the UI's runtime (`service/http/runtime.py`) passes as it is
and the service layer knows nothing of HTTP.
"""

from __future__ import annotations

from typing import Protocol

import asyncpg

from service.adapters.broker import Courier
from service.adapters.zoom import ZoomClient
from service.config import Settings


class Resources(Protocol):
    @property
    def pool(self) -> asyncpg.Pool: ...

    @property
    def courier(self) -> Courier: ...


class JobResources(Resources, Protocol):
    """What a job that reads the vendors needs besides: the settings and the Zoom client (None
    when Zoom is not configured). A worker's runtime passes as it is; the CLI builds its own."""

    @property
    def settings(self) -> Settings: ...

    @property
    def zoom(self) -> ZoomClient | None: ...
