"""The web UI's message catalogues: the same keys in every language, and every key a
template or page asks for exists (a missing one would be a 500 in one language only)."""

from __future__ import annotations

import re
from pathlib import Path

from service.ui.people import KINDS_WITH_ADVICE
from service.ui.render import LANGUAGES, catalogue

UI = Path(__file__).resolve().parents[2] / "service" / "ui"
# t("key") and t("key", …) with a literal key; dynamic ones (t("stage_" + …)) are listed below.
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+)["']\s*[,)]""")
DYNAMIC = {
    "col_": ("name", "email", "status", "attendance", "teacher", "notes"),
    "filter_": ("all", "pending", "attended", "not_attended"),
    "funnel_": ("booked", "attended", "active", "not_attended"),
    "group_": ("week", "month"),
    "letter_": ("open", "replayed", "discarded", "any"),
    "severity_": ("info", "warning", "error"),
    "source_": ("manual", "zoom"),
    "stage_": ("infowebinar_besuchen", "infowebinar_gebucht", "nicht_teilgenommen", "schule_aktiv"),
    "status_": ("active", "canceled"),
    "sync_": ("ok", "pending", "failed"),
    "sync_job_": ("queued", "running", "succeeded", "failed"),
    "todo_": tuple(KINDS_WITH_ADVICE),
}


def _used_keys() -> set[str]:
    used = set()
    for path in [*UI.glob("*.py"), *UI.glob("templates/*.html")]:
        used |= set(LITERAL_KEY.findall(path.read_text("utf-8")))
    used |= {prefix + suffix for prefix, suffixes in DYNAMIC.items() for suffix in suffixes}
    return used


def test_every_language_has_the_same_keys() -> None:
    german, english = (set(catalogue(lang)) for lang in LANGUAGES)
    assert sorted(german - english) == []
    assert sorted(english - german) == []


def test_every_key_in_use_is_in_the_catalogues() -> None:
    assert sorted(_used_keys() - set(catalogue("en"))) == []


def test_no_message_is_empty() -> None:
    for lang in LANGUAGES:
        assert [key for key, text in catalogue(lang).items() if not text.strip()] == []
