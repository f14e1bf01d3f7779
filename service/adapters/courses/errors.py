"""The validation errors kept on a meeting or registrant row, as JSON."""

from __future__ import annotations

from collections.abc import Sequence

from service.domain.validation_errors import ValidationError

Errors = list[dict[str, str]]


def errors_json(errors: Sequence[ValidationError]) -> Errors:
    return [{"code": e.code, "message": e.message} for e in errors]
