"""What a use case needs from the process that calls it: the Postgres pool and the courier.

A structural type, so the API's and the UI's runtime (`service/http/runtime.py`) passes as it is
and the service layer knows nothing of HTTP.
"""

from __future__ import annotations

from typing import Protocol

import asyncpg

from service.adapters.broker import Courier


class Resources(Protocol):
    @property
    def pool(self) -> asyncpg.Pool: ...

    @property
    def courier(self) -> Courier: ...
