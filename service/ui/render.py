"""Rendering a page: Jinja2 (autoescape on), the language, the session's CSRF token.

German is the default; `?lang=en` switches to English and a cookie remembers the choice.
Every visible string comes from the catalogue of the language (service/ui/i18n/).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

HERE = Path(__file__).parent
LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
LANG_COOKIE = "ws_lang"
LOCAL_TIME = ZoneInfo("Europe/Berlin")  # the admins' clock; the API itself speaks UTC

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


@cache
def catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((HERE / "i18n" / f"{lang}.json").read_text("utf-8"))
    return data


def language(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return wanted if wanted in LANGUAGES else DEFAULT_LANGUAGE


def translator(lang: str) -> Callable[..., str]:
    messages = catalogue(lang)

    def t(key: str, **values: Any) -> str:
        return messages[key].format(**values) if values else messages[key]

    return t


def local_time(value: datetime | str | None) -> str:
    if value is None:
        return "–"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(LOCAL_TIME).strftime("%d.%m.%Y %H:%M")


_env.filters["local_time"] = local_time


def first_rows(rows: list[Any], limit: int) -> dict[str, Any]:
    """A list fetched with `limit + 1` rows as the page shows it: at most `limit`, and
    whether more exist (the page then says so, instead of cutting silently)."""
    return {"rows": rows[:limit], "more": len(rows) > limit, "limit": limit}


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    message: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    lang = language(request)
    session = request.scope.get("state", {}).get("ui_session")
    page = _env.get_template(template).render(
        t=translator(lang),
        lang=lang,
        session=session,
        csrf=session.csrf_token if session else "",
        path=request.url.path,
        query=str(request.url.query),
        message=message,
        error=error,
        **(context or {}),
    )
    response = HTMLResponse(page, status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax", path="/ui/"
        )
    return response
