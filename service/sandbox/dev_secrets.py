"""Where `webinar-sync up` keeps the webhook secrets it generated for a local run.

The push tools read them from there when the variables are not set, so that a second
shell can send signed events to a running `up` without anyone printing a secret.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def data_dir() -> Path:
    return Path(os.environ.get("WEBINAR_SYNC_DATA_DIR", ".data")).resolve()


def dev_secrets_file() -> Path:
    return data_dir() / "dev-secrets.json"


def first_secret(variable: str) -> str | None:
    """The first value of a comma-separated secret variable, else of the dev-secrets file."""
    configured = os.environ.get(variable, "")
    if not configured:
        try:
            configured = json.loads(dev_secrets_file().read_text()).get(variable, "")
        except (OSError, ValueError):
            configured = ""
    return next((item.strip() for item in configured.split(",") if item.strip()), None)


def sandbox_urls_file() -> Path:
    return data_dir() / "sandbox-urls.json"


def sandbox_url(kind: str) -> str | None:
    """The base URL of the sandbox `kind` (zoom, calendly) that a running `up` started."""
    try:
        found = json.loads(sandbox_urls_file().read_text()).get(kind)
    except (OSError, ValueError):
        return None
    return found if isinstance(found, str) else None
