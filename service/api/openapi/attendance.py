"""The attendance and analytics part of /openapi.json (CONTRACT §7, §8)."""

from __future__ import annotations

from service.api.openapi.parts import (
    CSV_OK,
    CURSOR,
    ID,
    INT,
    LIMIT,
    TEXT,
    TIME,
    TRI_STATE,
    Schema,
    list_of,
    nullable,
    obj,
    ok,
    op,
    path,
    query,
    ref,
)

ATTENDANCE = "attendance"
ANALYTICS = "analytics"
COUNT = {"type": "integer", "minimum": 0}
RATE = nullable({"type": "number", "minimum": 0, "maximum": 1})
FROM = query("from", TEXT, "ISO-8601 date or date-time (inclusive)")
TO = query("to", TEXT, "ISO-8601 date or date-time (exclusive)")
COURSE_ID = path("course_id", TEXT)

SCHEMAS: dict[str, Schema] = {
    "CourseAttendance": obj(
        ["course_id", "sessions"],
        {
            "course_id": TEXT,
            "min_percent": INT,
            "sessions": {
                "type": "array",
                "items": obj(
                    ["date", "uuid", "bookings"],
                    {
                        "date": {"type": "string", "format": "date"},
                        "start_time": TIME,
                        "duration_minutes": INT,
                        "uuid": nullable(TEXT),
                        "uuids": {"type": "array", "items": TEXT},
                        "imported": {"type": "boolean"},
                        "attended_count": COUNT,
                        "bookings": {
                            "type": "array",
                            "items": obj(
                                ["booking_id", "attended", "minutes"],
                                {
                                    "booking_id": TEXT,
                                    "name": TEXT,
                                    "email": TEXT,
                                    "attended": TRI_STATE,
                                    "minutes": nullable(COUNT),
                                },
                            ),
                        },
                    },
                ),
            },
        },
    ),
    "AttendanceImport": obj(
        ["meeting_id", "uuid", "ended_at", "status", "participants", "matched", "unmatched"],
        {
            "id": INT,
            "meeting_id": INT,
            "uuid": TEXT,
            "started_at": nullable(TIME),
            "ended_at": nullable(TIME),
            "status": {"enum": ["pending", "done", "failed"]},
            "participants": COUNT,
            "matched": COUNT,
            "unmatched": COUNT,
            "pages": COUNT,
            "last_error": nullable(TEXT),
        },
    ),
    "UnmatchedParticipant": obj(
        ["id", "meeting_id", "uuid", "name", "email", "minutes"],
        {
            "id": INT,
            "meeting_id": INT,
            "uuid": TEXT,
            "name": TEXT,
            "email": TEXT,
            "minutes": COUNT,
            "course_id": nullable(TEXT),
            "calendly_event_id": nullable(INT),
            "linked_kind": nullable({"enum": ["booking", "attendee"]}),
            "linked_target": nullable(TEXT),
        },
    ),
}


def attendance_paths() -> dict[str, Schema]:
    link_body = obj(
        [],
        {"attendee_id": {"type": "integer", "minimum": 1}, "booking_id": TEXT},
        closed=True,
    )
    return {
        "/api/v1/courses/{course_id}/attendance": {
            "get": op(
                "Per session, per booking: attended and minutes (from Zoom)",
                ATTENDANCE,
                ok("Attendance", ref("CourseAttendance")),
                errors=(404,),
                params=[COURSE_ID],
            )
        },
        "/api/v1/courses/{course_id}/attendance.csv": {
            "get": op(
                "The course's attendance as CSV (UTF-8 with BOM, `;`)",
                ATTENDANCE,
                CSV_OK,
                errors=(404,),
                params=[COURSE_ID],
            )
        },
        "/api/v1/attendance/imports": {
            "get": op(
                "Attendance imports of Zoom meeting instances, newest first",
                ATTENDANCE,
                ok("Imports", list_of(ref("AttendanceImport"))),
                errors=(422,),
                params=[
                    query("status", {"enum": ["pending", "done", "failed"]}, "filter"),
                    CURSOR,
                    LIMIT,
                ],
            )
        },
        "/api/v1/attendance/unmatched": {
            "get": op(
                "Zoom participants no registration explains, waiting to be linked",
                ATTENDANCE,
                ok("Unmatched participants", list_of(ref("UnmatchedParticipant"))),
                errors=(422,),
                params=[CURSOR, LIMIT],
            )
        },
        "/api/v1/attendance/unmatched/{id}/link": {
            "post": op(
                "Link an unmatched participant to an attendee or a booking (as if it matched)",
                ATTENDANCE,
                ok("Linked", ref("UnmatchedParticipant")),
                errors=(400, 404, 409, 413, 422),
                params=[ID],
                body=link_body,
            )
        },
        "/api/v1/analytics/webinars": {
            "get": op(
                "Info-webinar attendance and no-show rates per week or month (docs/attendance.md)",
                ANALYTICS,
                ok("Periods", obj(["items"], {"group": TEXT, "items": {"type": "array"}})),
                errors=(422,),
                params=[FROM, TO, query("group", {"enum": ["week", "month"]}, "default week")],
            )
        },
        "/api/v1/analytics/pipeline": {
            "get": op(
                "Teachers per pipeline stage now, and the transitions in the period",
                ANALYTICS,
                ok("Pipeline", obj(["stages", "transitions"], {})),
                errors=(422,),
                params=[FROM, TO],
            )
        },
        "/api/v1/analytics/courses": {
            "get": op(
                "Per course: bookings, sessions, attendance rate of each imported session",
                ANALYTICS,
                ok("Courses", obj(["items"], {"items": {"type": "array"}})),
                errors=(422,),
                params=[FROM, TO],
            )
        },
    }
