"""Configuration from environment variables (CONTRACT §2), validated once at start.

Every bad value is reported at once, one line each, naming the variable and what is
expected; secret values are never echoed back.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from service.domain.numbers import ascii_int

DEFAULT_RATE_LIMITS = "light=30,medium=20,heavy=10"
RATE_CATEGORIES = ("light", "medium", "heavy")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MIN_WEBHOOK_KEY_BYTES = 16  # a shorter (or empty) HMAC key makes signatures guessable


class ConfigError(Exception):
    """Raised with every problem found, so an operator fixes them in one go."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    redis_url: str | None
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    redis_key_prefix: str = "webinar-sync"
    calendly_api_token: str | None = None
    calendly_api_base_url: str = "https://api.calendly.com"
    calendly_webhook_signing_keys: tuple[str, ...] = ()
    calendly_organization_uri: str | None = None
    calendly_user_uri: str | None = None
    zoom_account_id: str | None = None
    zoom_client_id: str | None = None
    zoom_client_secret: str | None = None
    zoom_oauth_token_url: str = "https://zoom.us/oauth/token"  # noqa: S105 - a URL
    zoom_api_base_url: str | None = None
    zoom_rate_limits: dict[str, int] = field(
        default_factory=lambda: {"light": 30, "medium": 20, "heavy": 10}
    )
    zoom_webhook_secret_token: str | None = None
    booking_webhook_secrets: tuple[str, ...] = ()
    log_level: str = "INFO"
    log_format: str | None = None  # None: console on a TTY, else json
    integration_log_retention_days: int = 30
    inbox_retention_days: int = 90
    dead_letter_retention_days: int = 90
    work_attempt_retention_days: int = 90
    relay_grace_seconds: int = 30
    outbox_lease_seconds: int = 120
    request_body_timeout_seconds: int = 10
    attendance_min_percent: int = 50
    calendly_push_no_shows: bool | None = None  # None: on exactly when a Calendly token is set

    @property
    def push_no_shows(self) -> bool:
        """Whether no-shows are sent to Calendly (CONTRACT §7)."""
        if self.calendly_push_no_shows is None:
            return self.calendly_configured
        return self.calendly_push_no_shows and self.calendly_configured

    @property
    def zoom_configured(self) -> bool:
        return bool(self.zoom_account_id and self.zoom_client_id and self.zoom_client_secret)

    @property
    def calendly_configured(self) -> bool:
        return bool(self.calendly_api_token)

    def require_services(self) -> tuple[str, str]:
        """The DSNs every process but `up` needs; `up` fills them in from embedded servers."""
        problems = []
        if not self.database_url:
            problems.append("DATABASE_URL: required (a PostgreSQL DSN, postgresql://…)")
        if not self.redis_url:
            problems.append("REDIS_URL: required (a Redis URL, redis://host:6379/0)")
        if problems:
            raise ConfigError(problems)
        assert self.database_url and self.redis_url
        return self.database_url, self.redis_url


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    reader = _Reader(env)
    host = reader.text("HOST", "127.0.0.1")
    port = reader.integer("PORT", 8000, minimum=1, maximum=65535)
    settings = Settings(
        database_url=reader.url("DATABASE_URL", ("postgres", "postgresql")),
        redis_url=reader.url("REDIS_URL", ("redis", "rediss", "unix")),
        host=host,
        port=port,
        public_base_url=reader.url("PUBLIC_BASE_URL", ("http", "https")) or f"http://{host}:{port}",
        redis_key_prefix=reader.text("REDIS_KEY_PREFIX", "webinar-sync"),
        calendly_api_token=reader.optional("CALENDLY_API_TOKEN"),
        calendly_api_base_url=reader.url("CALENDLY_API_BASE_URL", ("http", "https"))
        or "https://api.calendly.com",
        calendly_webhook_signing_keys=reader.csv("CALENDLY_WEBHOOK_SIGNING_KEYS"),
        calendly_organization_uri=reader.url("CALENDLY_ORGANIZATION_URI", ("https", "http")),
        calendly_user_uri=reader.url("CALENDLY_USER_URI", ("https", "http")),
        zoom_account_id=reader.optional("ZOOM_ACCOUNT_ID"),
        zoom_client_id=reader.optional("ZOOM_CLIENT_ID"),
        zoom_client_secret=reader.optional("ZOOM_CLIENT_SECRET"),
        zoom_oauth_token_url=reader.url("ZOOM_OAUTH_TOKEN_URL", ("http", "https"))
        or "https://zoom.us/oauth/token",
        zoom_api_base_url=reader.url("ZOOM_API_BASE_URL", ("http", "https")),
        zoom_rate_limits=reader.rate_limits("ZOOM_RATE_LIMITS"),
        zoom_webhook_secret_token=reader.optional("ZOOM_WEBHOOK_SECRET_TOKEN"),
        booking_webhook_secrets=reader.booking_secrets("BOOKING_WEBHOOK_SECRETS"),
        log_level=reader.choice("LOG_LEVEL", LOG_LEVELS, "INFO") or "INFO",
        log_format=reader.choice("LOG_FORMAT", ("json", "console"), None),
        integration_log_retention_days=reader.integer(
            "INTEGRATION_LOG_RETENTION_DAYS", 30, minimum=1, maximum=3650
        ),
        inbox_retention_days=reader.integer("INBOX_RETENTION_DAYS", 90, minimum=1, maximum=3650),
        dead_letter_retention_days=reader.integer(
            "DEAD_LETTER_RETENTION_DAYS", 90, minimum=1, maximum=3650
        ),
        work_attempt_retention_days=reader.integer(
            "WORK_ATTEMPT_RETENTION_DAYS", 90, minimum=1, maximum=3650
        ),
        relay_grace_seconds=reader.integer("RELAY_GRACE_SECONDS", 30, minimum=1, maximum=3600),
        outbox_lease_seconds=reader.integer("OUTBOX_LEASE_SECONDS", 120, minimum=5, maximum=3600),
        request_body_timeout_seconds=reader.integer(
            "REQUEST_BODY_TIMEOUT_SECONDS", 10, minimum=1, maximum=300
        ),
        attendance_min_percent=reader.integer("ATTENDANCE_MIN_PERCENT", 50, minimum=0, maximum=100),
        calendly_push_no_shows=reader.boolean("CALENDLY_PUSH_NO_SHOWS"),
    )
    zoom_parts = [settings.zoom_account_id, settings.zoom_client_id, settings.zoom_client_secret]
    if any(zoom_parts) and not all(zoom_parts):
        reader.problems.append(
            "ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET: set all three "
            "(a Server-to-Server OAuth app) or none"
        )
    if reader.problems:
        raise ConfigError(reader.problems)
    return settings


class _Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []

    def optional(self, name: str) -> str | None:
        value = self.env.get(name, "").strip()
        return value or None

    def text(self, name: str, default: str) -> str:
        return self.optional(name) or default

    def integer(self, name: str, default: int, *, minimum: int, maximum: int) -> int:
        raw = self.optional(name)
        if raw is None:
            return default
        value = ascii_int(raw)
        if value is None or not minimum <= value <= maximum:
            self.problems.append(
                f"{name}: expected a whole number {minimum}–{maximum}, got {raw!r}"
            )
            return default
        return value

    def boolean(self, name: str) -> bool | None:
        raw = self.optional(name)
        if raw is None:
            return None
        value = raw.lower()
        if value not in ("true", "false", "1", "0", "yes", "no"):
            self.problems.append(f"{name}: expected true or false, got {raw!r}")
            return None
        return value in ("true", "1", "yes")

    def url(self, name: str, schemes: tuple[str, ...]) -> str | None:
        raw = self.optional(name)
        if raw is None:
            return None
        parts = urlsplit(raw)
        if parts.scheme not in schemes or not (parts.netloc or parts.path):
            wanted = " or ".join(f"{s}://…" for s in schemes)
            # The value may hold a password; show only its scheme.
            self.problems.append(
                f"{name}: expected a URL {wanted}, got one starting {parts.scheme!r}"
            )
            return None
        return raw.rstrip("/") if parts.scheme in ("http", "https") else raw

    def csv(self, name: str) -> tuple[str, ...]:
        raw = self.optional(name) or ""
        return tuple(item.strip() for item in raw.split(",") if item.strip())

    def choice(self, name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
        raw = self.optional(name)
        if raw is None:
            return default
        value = raw.upper() if name == "LOG_LEVEL" else raw.lower()
        if value not in allowed:
            self.problems.append(f"{name}: expected one of {', '.join(allowed)}, got {raw!r}")
            return default
        return value

    def rate_limits(self, name: str) -> dict[str, int]:
        try:
            return parse_rate_limits(self.optional(name) or DEFAULT_RATE_LIMITS)
        except ValueError as error:
            self.problems.append(f"{name}: {error}")
            return parse_rate_limits(DEFAULT_RATE_LIMITS)

    def booking_secrets(self, name: str) -> tuple[str, ...]:
        secrets = self.csv(name)
        for position, secret in enumerate(secrets, start=1):
            key = _whsec_key(secret)
            if key is None or len(key) < MIN_WEBHOOK_KEY_BYTES:
                self.problems.append(
                    f"{name}: secret #{position} must be whsec_<base64 of at least "
                    f"{MIN_WEBHOOK_KEY_BYTES} bytes> (value not shown)"
                )
        return secrets


def _whsec_key(secret: str) -> bytes | None:
    """The key of a Standard Webhooks secret, or None when it is not whsec_<base64>."""
    if not secret.startswith("whsec_"):
        return None
    try:
        return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        return None


def parse_rate_limits(text: str) -> dict[str, int]:
    """Parse ZOOM_RATE_LIMITS, e.g. "light=30,medium=20,heavy=10", into per-second limits.

    Strict on purpose: a typo here would silently let workers exceed Zoom's limits, so every
    category must be given exactly once as a positive integer.
    """
    limits: dict[str, int] = {}
    for raw_item in text.split(","):
        name, value = _parse_item(raw_item, text)
        if name in limits:
            raise ValueError(f"names {name!r} twice: {text!r}")
        limits[name] = value
    missing = [name for name in RATE_CATEGORIES if name not in limits]
    if missing:
        raise ValueError(
            f"lacks {', '.join(missing)}: {text!r} (expected e.g. {DEFAULT_RATE_LIMITS!r})"
        )
    return limits


def _parse_item(raw_item: str, text: str) -> tuple[str, int]:
    """One `category=limit` pair, with an error message that shows the expected form."""
    name, sep, value = (part.strip() for part in raw_item.partition("="))
    name = name.lower()
    if not sep or not name:
        raise ValueError(
            f"item {raw_item.strip()!r} is not category=limit: {text!r} "
            f"(expected e.g. {DEFAULT_RATE_LIMITS!r})"
        )
    if name not in RATE_CATEGORIES:
        raise ValueError(f"unknown category {name!r}; known: {', '.join(RATE_CATEGORIES)}")
    limit = ascii_int(value, max_digits=6)
    if not limit:
        raise ValueError(f"the limit for {name!r} must be a positive integer, got {value!r}")
    return name, limit
