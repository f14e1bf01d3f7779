"""The CSV downloads the API and the web UI both serve: an event's attendees, a course's attendance.

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
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.adapters import webinars
from service.http import input
from service.http.errors import ApiError
from service.http.runtime import runtime
from service.services import attendance

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ATTENDANCE = {True: "teilgenommen", False: "nicht teilgenommen", None: "offen"}
ATTENDEE_HEADER = [
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


COURSE_HEADER = ["Datum", "Buchung", "Name", "E-Mail", "Anwesenheit", "Minuten"]


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
    return csv_text(ATTENDEE_HEADER, (_attendee_row(a) for a in attendees))


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


async def event_of(request: Request) -> dict[str, Any]:
    """The event named by the path, with its attendees; 404 when there is none."""
    event_id = input.path_id(request, "event")
    async with runtime(request).pool.acquire() as conn:
        event = await webinars.event_with_attendees(conn, event_id)
    if event is None:
        raise ApiError(404, f"no such event: {event_id}")
    return event


async def course_of(request: Request) -> dict[str, object]:
    """The attendance of the course named by the path; 404 when there is none."""
    course_id = input.course_id(request)
    found = await attendance.course_attendance(
        runtime(request).pool, course_id, runtime(request).settings.attendance_min_percent
    )
    if found is None:
        raise ApiError(404, f"no such course: {course_id}")
    return found


async def course_attendance_csv(request: Request) -> Response:
    """One row per session and booking: what a training provider needs for certificates."""
    found = await course_of(request)
    sessions = found["sessions"]
    assert isinstance(sessions, list)
    rows = (
        (
            session["date"],
            booking["booking_id"],
            booking["name"],
            booking["email"],
            ATTENDANCE[booking["attended"]],
            booking["minutes"],
        )
        for session in sessions
        for booking in session["bookings"]
    )
    return csv_response(csv_text(COURSE_HEADER, rows), f"anwesenheit-{found['course_id']}.csv")
