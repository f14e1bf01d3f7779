"""Configuration from environment variables (CONTRACT §2), validated once at start.

One pydantic-settings model: each field's type says what it accepts and, on refusal, what is
expected. Every bad value is reported at once, one line each, naming the variable; secrets are
`SecretStr` (never printed) and their values are never echoed back.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, NoReturn
from urllib.parse import urlsplit

from pydantic import (
    BeforeValidator,
    Field,
    PlainValidator,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from service.domain.numbers import ascii_int

DEFAULT_RATE_LIMITS = "light=30,medium=20,heavy=10"
RATE_CATEGORIES = ("light", "medium", "heavy")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MIN_WEBHOOK_KEY_BYTES = 16  # a shorter (or empty) HMAC key makes signatures guessable
ZOOM_CREDENTIALS = ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET")


class ConfigError(Exception):
    """Raised with every problem found, so an operator fixes them in one go."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _refuse(message: str) -> NoReturn:
    raise PydanticCustomError("setting", "{message}", {"message": message})


def _whole_number(minimum: int, maximum: int) -> PlainValidator:
    def read(raw: str) -> int:
        value = ascii_int(raw)
        if value is None or not minimum <= value <= maximum:
            _refuse(f"expected a whole number {minimum}–{maximum}, got {raw!r}")
        return value

    return PlainValidator(read)


def _url(*schemes: str) -> PlainValidator:
    def read(raw: str) -> str:
        parts = urlsplit(raw)
        if parts.scheme not in schemes or not (parts.netloc or parts.path):
            wanted = " or ".join(f"{s}://…" for s in schemes)
            # The value may hold a password; show only its scheme.
            _refuse(f"expected a URL {wanted}, got one starting {parts.scheme!r}")
        return raw.rstrip("/") if parts.scheme in ("http", "https") else raw

    return PlainValidator(read)


def _one_of(allowed: Sequence[str], normalise: Callable[[str], str]) -> PlainValidator:
    def read(raw: str) -> str:
        if normalise(raw) not in allowed:
            _refuse(f"expected one of {', '.join(allowed)}, got {raw!r}")
        return normalise(raw)

    return PlainValidator(read)


def _boolean(raw: str) -> bool:
    value = raw.lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        _refuse(f"expected true or false, got {raw!r}")
    return value in ("true", "1", "yes")


def _rate_limits(raw: str) -> dict[str, int]:
    try:
        return parse_rate_limits(raw)
    except ValueError as error:
        _refuse(str(error))


def _comma_separated(raw: str) -> tuple[str, ...]:
    """A list in one variable; each item is then validated by the list's item type."""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _booking_secret(secret: str) -> SecretStr:
    key = _whsec_key(secret)
    if key is None or len(key) < MIN_WEBHOOK_KEY_BYTES:
        _refuse(
            f"must be whsec_<base64 of at least {MIN_WEBHOOK_KEY_BYTES} bytes> (value not shown)"
        )
    return SecretStr(secret)


Secrets = Annotated[tuple[SecretStr, ...], BeforeValidator(_comma_separated)]
BookingSecrets = Annotated[
    tuple[Annotated[SecretStr, PlainValidator(_booking_secret)], ...],
    BeforeValidator(_comma_separated),
]
Days = Annotated[int, _whole_number(1, 3650)]
Seconds = Annotated[int, _whole_number(1, 3600)]
HttpUrl = Annotated[str, _url("http", "https")]


class Settings(BaseSettings):
    """What the environment configures; an unset or blank variable takes the default here."""

    model_config = SettingsConfigDict(
        frozen=True, extra="ignore", enable_decoding=False, validate_default=False
    )

    database_url: Annotated[str | None, _url("postgres", "postgresql")] = None
    redis_url: Annotated[str | None, _url("redis", "rediss", "unix")] = None
    host: str = "127.0.0.1"
    port: Annotated[int, _whole_number(1, 65535)] = 8000
    # None: http://HOST:PORT (`public_base_url`)
    configured_public_base_url: HttpUrl | None = Field(None, validation_alias="PUBLIC_BASE_URL")
    redis_key_prefix: str = "webinar-sync"
    calendly_api_token: SecretStr | None = None
    calendly_api_base_url: HttpUrl = "https://api.calendly.com"
    calendly_webhook_signing_keys: Secrets = ()
    calendly_organization_uri: Annotated[str | None, _url("https", "http")] = None
    calendly_user_uri: Annotated[str | None, _url("https", "http")] = None
    zoom_account_id: str | None = None
    zoom_client_id: str | None = None
    zoom_client_secret: SecretStr | None = None
    zoom_oauth_token_url: HttpUrl = "https://zoom.us/oauth/token"  # noqa: S105 - a URL
    zoom_api_base_url: HttpUrl | None = None
    zoom_rate_limits: Annotated[dict[str, int], PlainValidator(_rate_limits)] = Field(
        default_factory=lambda: parse_rate_limits(DEFAULT_RATE_LIMITS)
    )
    zoom_rate_margin_ms: Annotated[int, _whole_number(0, 1000)] = 50
    zoom_webhook_secret_token: SecretStr | None = None
    booking_webhook_secrets: BookingSecrets = ()
    log_level: Annotated[str, _one_of(LOG_LEVELS, str.upper)] = "INFO"
    # None: console on a TTY, else json
    log_format: Annotated[str | None, _one_of(("json", "console"), str.lower)] = None
    integration_log_retention_days: Days = 30
    inbox_retention_days: Days = 90
    dead_letter_retention_days: Days = 90
    work_attempt_retention_days: Days = 90
    relay_grace_seconds: Seconds = 30
    outbox_lease_seconds: Annotated[int, _whole_number(5, 3600)] = 120
    request_body_timeout_seconds: Annotated[int, _whole_number(1, 300)] = 10
    attendance_min_percent: Annotated[int, _whole_number(0, 100)] = 50
    # None: on exactly when a Calendly token is set
    calendly_push_no_shows: Annotated[bool | None, PlainValidator(_boolean)] = None

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, values: Any) -> Any:
        """Values are trimmed; an empty one means "not set", i.e. the default."""
        if not isinstance(values, dict):
            return values
        trimmed = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
        return {k: v for k, v in trimmed.items() if v != ""}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what `load_settings` passes: the environment it was given, nothing else."""
        return (init_settings,)

    @property
    def public_base_url(self) -> str:
        return self.configured_public_base_url or f"http://{self.host}:{self.port}"

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
        return self.calendly_api_token is not None

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


class _Environment(EnvSettingsSource):
    """The variables of `environ` (`os.environ` unless a test gives its own)."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(Settings)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in self._environ.items()}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    problems = []
    try:
        settings = Settings.model_validate(_Environment(env)())
    except ValidationError as error:
        problems = [_problem(e["loc"], e["msg"]) for e in error.errors()]
    zoom_parts = [env.get(name, "").strip() for name in ZOOM_CREDENTIALS]
    if any(zoom_parts) and not all(zoom_parts):
        problems.append(
            f"{', '.join(ZOOM_CREDENTIALS)}: set all three (a Server-to-Server OAuth app) or none"
        )
    if problems:
        raise ConfigError(problems)
    return settings


def _problem(loc: Sequence[int | str], message: str) -> str:
    """`NAME: message`; an item of a list of secrets is named by its position, never its value."""
    name, *items = loc
    where = "".join(f"secret #{int(i) + 1} " for i in items)
    return f"{str(name).upper()}: {where}{message}"


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
