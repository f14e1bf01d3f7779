"""Building the Calendly client from Settings: the token, the base URL, the integration log."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg

from service.adapters.calendly_client import CalendlyClient
from service.adapters.integration_log import PostgresCallRecorder
from service.config import Settings

NOT_CONFIGURED = (
    "CALENDLY_API_TOKEN is not set, so Calendly cannot be read; set a personal access token"
)


def connect_calendly(
    settings: Settings, pool: asyncpg.Pool, cause: Mapping[str, str]
) -> CalendlyClient | None:
    """A client whose calls are recorded with `cause`; None when no token is set."""
    if not settings.calendly_api_token:
        return None
    return CalendlyClient(
        settings.calendly_api_base_url,
        settings.calendly_api_token.get_secret_value(),
        PostgresCallRecorder(pool),
        cause=cause,
    )
