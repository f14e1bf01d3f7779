"""GET /api/v1/calendly/events/{id}/attendees.csv — the attendee list for Excel.

Choices, for German Excel opening the file by double-click:
- UTF-8 with a byte-order mark, so umlauts show correctly (without it Excel guesses the
  ANSI code page); no `sep=` line, because Excel then ignores the BOM.
- `;` as delimiter: the list separator of German (and most European) Excel locales, where a
  comma is the decimal mark; a `,` file would open as one column there.
- CRLF line ends and every field quoted, so notes with line breaks or `;` stay one cell.
- Formula injection (OWASP "CSV injection"): a text cell starting with =, +, -, @, tab or CR
  is prefixed with an apostrophe, so Excel shows it as text instead of running it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import Response

from service.api.calendly import event_of

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ATTENDANCE = {True: "teilgenommen", False: "nicht teilgenommen", None: "offen"}
HEADER = [
    "ID",
    "Name",
    "E-Mail",
    "Status",
    "Anwesenheit",
    "User-ID",
    "Prognose Anzahl Klassen",
    "Prognose Start",
    "Notizen",
    "Quelle",
]


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """A CSV document as described above: BOM, `;`, CRLF, every cell quoted and guarded."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(safe_cell(value) for value in row)
    return BOM + buffer.getvalue()


def csv_response(text: str, filename: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def render_csv(attendees: list[dict[str, object]]) -> str:
    return csv_text(HEADER, (_attendee_row(a) for a in attendees))


def _attendee_row(a: dict[str, object]) -> tuple[object, ...]:
    attended = a["attended"]
    return (
        a["id"],
        a["name"],
        a["email"],
        "aktiv" if a["status"] == "active" else "storniert",
        ATTENDANCE[attended if isinstance(attended, bool) else None],
        a["user_id"],
        a["prognosis_class_count"],
        a["prognosis_start"],
        a["notes"],
        "Calendly" if a["source"] == "calendly" else "manuell",
    )


async def export_attendees(request: Request) -> Response:
    event = await event_of(request)
    filename = f"teilnehmer-{event['id']}-{event['start_time']:%Y-%m-%d}.csv"
    return csv_response(render_csv(event["attendees"]), filename)
