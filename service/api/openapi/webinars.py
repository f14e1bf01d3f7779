"""The info-webinar part of /openapi.json (CONTRACT §5): exact statuses and shapes."""

from __future__ import annotations

from service.api.openapi.parts import (
    CSV_OK,
    CURSOR,
    ID,
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

WEBINARS = "info-webinars"
ATTENDEE_EDIT = obj(
    [],
    {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "email": {"type": "string", "format": "email"},
        "user_id": nullable(TEXT),
        "prognosis_class_count": nullable({"type": "integer", "minimum": 0, "maximum": 10000}),
        "prognosis_start": nullable({"type": "string", "minLength": 1, "maxLength": 100}),
        "notes": nullable({"type": "string", "minLength": 1, "maxLength": 10000}),
    },
    closed=True,
)


def webinar_paths() -> dict[str, Schema]:
    invalid = (422,)
    return {
        "/api/v1/calendly/sync": {
            "post": op(
                "Start a Calendly sync job (recent = last 30 days and later)",
                WEBINARS,
                ok("Queued", obj(["job_id"], {"job_id": {"type": "string"}}), 202),
                errors=(400, 413, 422, 503),
                body=obj(
                    [],
                    {"mode": {"enum": ["recent", "since", "full"]}, "since": TIME},
                    closed=True,
                ),
            )
        },
        "/api/v1/calendly/sync/last": {
            "get": op(
                "When the last successful sync finished",
                WEBINARS,
                ok("Last sync", obj(["last_sync_time"], {"last_sync_time": nullable(TIME)})),
            )
        },
        "/api/v1/calendly/sync/{job_id}": {
            "get": op(
                "A sync job's status and counts",
                WEBINARS,
                ok("The job", ref("SyncJob")),
                errors=(404,),
                params=[path("job_id", {"type": "string", "format": "uuid"})],
            )
        },
        "/api/v1/calendly/events": {
            "get": op(
                "Calendly events by start time; all statuses unless `status` is given",
                WEBINARS,
                ok("Events", list_of(ref("CalendlyEvent"))),
                errors=invalid,
                params=[
                    query("from", TEXT, "ISO-8601 date or date-time: start at or after"),
                    query("to", TEXT, "ISO-8601 date (whole day) or date-time: start at or before"),
                    query("status", {"enum": ["active", "canceled"]}, "only this status"),
                    CURSOR,
                    LIMIT,
                ],
            )
        },
        "/api/v1/calendly/events/{id}": {
            "get": op(
                "One event with its attendees",
                WEBINARS,
                ok(
                    "The event",
                    {
                        "allOf": [
                            ref("CalendlyEvent"),
                            obj(
                                ["attendees"],
                                {"attendees": {"type": "array", "items": ref("Attendee")}},
                            ),
                        ]
                    },
                ),
                errors=(404,),
                params=[ID],
            )
        },
        "/api/v1/calendly/events/{id}/attendees": {
            "post": op(
                "Add an attendee by hand",
                WEBINARS,
                ok("Created", ref("Attendee"), 201),
                errors=(400, 404, 409, 413, 422),
                params=[ID],
                body=obj(
                    ["name", "email"],
                    {
                        "name": {"type": "string", "minLength": 1, "maxLength": 200},
                        "email": {"type": "string", "format": "email"},
                    },
                    closed=True,
                ),
            )
        },
        "/api/v1/calendly/events/{id}/attendees.csv": {
            "get": op(
                "Attendees as CSV for Excel (UTF-8 BOM, `;`, CRLF, all quoted)",
                WEBINARS,
                CSV_OK,
                errors=(404,),
                params=[ID],
            )
        },
        "/api/v1/webinars/upcoming": {
            "get": op(
                "Active webinars not yet over starting within `days`, with attendance counts",
                WEBINARS,
                ok("Upcoming webinars", list_of(ref("UpcomingWebinar"))),
                errors=invalid,
                params=[
                    query("days", {"type": "integer", "minimum": 1, "maximum": 366}, "default 14"),
                    CURSOR,
                    LIMIT,
                ],
            )
        },
        "/api/v1/attendees/attendance": {
            "put": op(
                "Set attendance of many attendees, all or nothing (null = pending)",
                WEBINARS,
                ok("The attendees as now stored", list_of(ref("Attendee"))),
                errors=(400, 413, 422),
                body=obj(
                    ["updates"],
                    {
                        "updates": {
                            "type": "array",
                            "items": obj(
                                ["attendee_id", "attended"],
                                {
                                    "attendee_id": {"type": "integer", "minimum": 1},
                                    "attended": TRI_STATE,
                                },
                                closed=True,
                            ),
                        }
                    },
                    closed=True,
                ),
            )
        },
        "/api/v1/attendees/{id}": {
            "patch": op(
                "Edit an attendee; only the fields sent change",
                WEBINARS,
                ok("The attendee", ref("Attendee")),
                errors=(400, 404, 413, 422),
                params=[ID],
                body=ATTENDEE_EDIT,
            )
        },
        "/api/v1/participations": {
            "get": op(
                "Participations whose webinar_date is the event's start",
                WEBINARS,
                ok("Participations", list_of(ref("Participation"))),
                errors=(404, 422),
                params=[
                    query("event_id", {"type": "integer", "minimum": 1}, "event", required=True),
                    CURSOR,
                    LIMIT,
                ],
            ),
            "post": op(
                "Register a participation",
                WEBINARS,
                ok("Created", ref("Participation"), 201),
                errors=(400, 409, 413, 422),
                body=obj(
                    ["teacher_id", "webinar_date"],
                    {"teacher_id": {"type": "string", "minLength": 1}, "webinar_date": TIME},
                    closed=True,
                ),
            ),
        },
        "/api/v1/participations/{id}": {
            "patch": op(
                "Set whether the teacher took part",
                WEBINARS,
                ok("The participation", ref("Participation")),
                errors=(400, 404, 413, 422),
                params=[ID],
                body=obj(["participated"], {"participated": TRI_STATE}, closed=True),
            )
        },
        "/api/v1/users/search": {
            "get": op(
                "Users by case- and accent-insensitive prefix of a name word or the email",
                WEBINARS,
                ok("Users", list_of(ref("User"))),
                errors=invalid,
                params=[
                    query("query", {"type": "string", "minLength": 1}, "search", required=True),
                    CURSOR,
                    query("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "size"),
                ],
            )
        },
        "/api/v1/users/{id}": {
            "get": op(
                "One user with the pipeline status name",
                WEBINARS,
                ok("The user", ref("User")),
                errors=(404,),
                params=[path("id", TEXT)],
            )
        },
    }
