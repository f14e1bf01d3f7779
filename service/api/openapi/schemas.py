"""The component schemas of /openapi.json for info-webinars, courses and ops."""

from __future__ import annotations

from service.api.openapi.parts import (
    INT,
    TEXT,
    TIME,
    TRI_STATE,
    Schema,
    nullable,
    obj,
    ref,
)

SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        ["error"],
        {
            "error": obj(
                ["code", "message", "details"],
                {"code": TEXT, "message": TEXT, "details": {"type": "array"}},
            )
        },
    ),
    "CalendlyEvent": obj(
        ["id", "uri", "name", "status", "start_time", "end_time", "location", "attendee_count"],
        {
            "id": INT,
            "uri": TEXT,
            "name": TEXT,
            "status": {"enum": ["active", "canceled"]},
            "start_time": TIME,
            "end_time": TIME,
            "location": nullable(TEXT),
            "location_kind": nullable(TEXT),
            "event_type": nullable(TEXT),
            "attendee_count": {"type": "integer", "minimum": 0},
        },
    ),
    "Attendee": obj(
        [
            "id",
            "uri",
            "event_id",
            "name",
            "email",
            "status",
            "attended",
            "user_id",
            "prognosis_class_count",
            "prognosis_start",
            "notes",
            "rescheduled_from",
            "rescheduled_to",
        ],
        {
            "id": INT,
            "uri": nullable(TEXT),
            "event_id": INT,
            "name": TEXT,
            "email": TEXT,
            "status": {"enum": ["active", "canceled"]},
            "attended": TRI_STATE,
            "user_id": nullable(TEXT),
            "prognosis_class_count": nullable({"type": "integer", "minimum": 0}),
            "prognosis_start": nullable(TEXT),
            "notes": nullable(TEXT),
            "rescheduled_from": nullable(TEXT),
            "rescheduled_to": nullable(TEXT),
            "source": {"enum": ["calendly", "manual"]},
            "attendance_marked_at": nullable(TIME),
            "attendance_marked_by": nullable(TEXT),
            "created_at": TIME,
            "updated_at": TIME,
            "attendance_source": nullable({"enum": ["manual", "zoom"]}),
            "zoom_minutes": nullable({"type": "integer", "minimum": 0}),
            "zoom_attended": TRI_STATE,
        },
    ),
    "UpcomingWebinar": {
        "allOf": [
            ref("CalendlyEvent"),
            obj(
                [
                    "participation_count",
                    "pending_count",
                    "participated_count",
                    "not_participated_count",
                ],
                {
                    name: {"type": "integer", "minimum": 0}
                    for name in (
                        "participation_count",
                        "pending_count",
                        "participated_count",
                        "not_participated_count",
                    )
                },
            ),
        ]
    },
    "User": obj(
        ["id", "name", "email", "role", "pipeline_status"],
        {
            "id": TEXT,
            "name": TEXT,
            "email": nullable(TEXT),
            "role": TEXT,
            "pipeline_status": {
                "enum": [
                    "infowebinar_besuchen",
                    "infowebinar_gebucht",
                    "nicht_teilgenommen",
                    "schule_aktiv",
                ]
            },
            "pipeline_status_code": {"enum": [4, 6, 7, 8]},
        },
    ),
    "Participation": obj(
        ["id", "teacher_id", "webinar_date", "participated"],
        {
            "id": INT,
            "teacher_id": TEXT,
            "webinar_date": TIME,
            "participated": TRI_STATE,
            "updated_by": nullable(TEXT),
            "created_at": TIME,
            "updated_at": TIME,
        },
    ),
    "SyncJob": obj(
        ["id", "status", "synced", "new", "updated", "error"],
        {
            "id": {"type": "string", "format": "uuid"},
            "mode": {"enum": ["recent", "since", "full"]},
            "since": nullable(TIME),
            "status": {"enum": ["queued", "running", "succeeded", "failed"]},
            "synced": {"type": "integer", "minimum": 0},
            "new": {"type": "integer", "minimum": 0},
            "updated": {"type": "integer", "minimum": 0},
            "error": nullable(TEXT),
            "requested_by": nullable(TEXT),
            "created_at": TIME,
            "started_at": nullable(TIME),
            "finished_at": nullable(TIME),
        },
    ),
    "Course": obj(["id", "version", "title", "status"], {"id": TEXT, "version": INT}),
    "CourseDetail": obj(
        ["id", "version", "title", "status", "sessions", "zoom", "bookings"],
        {
            "zoom": obj(
                ["meeting_id", "join_url", "sync_status", "errors"],
                {"errors": {"type": "array", "items": obj(["code", "message"], {})}},
            ),
            "bookings": {
                "type": "array",
                "items": obj(["id", "status", "email", "registrant", "errors"], {}),
            },
        },
    ),
    "DeadLetter": obj(
        ["id", "source", "type", "error", "attempts", "created_at", "payload"],
        {
            "source": {"enum": ["calendly", "booking", "zoom"]},
            "queue": {"enum": ["inbox", "outbox"]},
            "error": obj(["class", "message"], {"class": TEXT, "message": TEXT}),
        },
    ),
    "Open": {"type": "object"},
}
