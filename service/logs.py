"""Structured logs: JSON lines off a TTY, readable console on one; never a secret.

Every line carries the bound context (request id, inbox id, course id …) from
contextvars, so one request or one message can be followed across processes.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_SECRET_KEYS = re.compile(r"(token|secret|password|authorization|signing_key|signature|dsn)", re.I)
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[^\s'\",]+")
_KEY_VALUE = re.compile(
    r"(?i)\b((?:password|passwd|secret|token|signing_key|signature)['\"]?\s*[=:]\s*['\"]?)"
    r"[^\s'\",&}]+"
)
_MAX_DEPTH = 8


def redact(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Mask values of secret-looking keys (at any depth) and secrets inside text: passwords
    in URLs, bearer tokens, `password=…`; runs after tracebacks are formatted, so exception
    text is masked too."""
    for key, value in list(event.items()):
        event[key] = _masked(key, value, 0)
    return event


def _masked(key: Any, value: Any, depth: int) -> Any:
    if isinstance(key, str) and _SECRET_KEYS.search(key) and value is not None:
        return "***"
    if isinstance(value, str):
        return _masked_text(value)
    if depth >= _MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {k: _masked(k, v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(None, item, depth + 1) for item in value]
    return value


def _masked_text(text: str) -> str:
    if "://" in text:
        text = _URL_PASSWORD.sub(r"\1***@", text)
    text = _BEARER.sub(r"\1***", text)
    return _KEY_VALUE.sub(r"\1***", text)


def configure_logging(level: str = "INFO", fmt: str | None = None) -> None:
    use_json = fmt == "json" or (fmt is None and not sys.stderr.isatty())
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact,
    ]
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    # Libraries (uvicorn, dramatiq, asyncpg) log through the stdlib: render them the same way.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact,
                renderer,
            ],
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # vendor calls go to the integration log


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
