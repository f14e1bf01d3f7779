"""GET /openapi.json: an OpenAPI 3.1 description of the admin, ops and ingress API (no token).

Written by hand from CONTRACT §3 and §5 rather than generated from handlers: the contract is
the source of truth, and the schemathesis test (tests/integration/test_openapi_schemathesis.py)
checks the running API against this document, so the two cannot drift apart unnoticed.
The info-webinar part is exact (every status and shape); courses and ops are described with
their fixed field names and left open (`additionalProperties`) where their owners add fields.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

JSON = "application/json"
Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(required: list[str], properties: dict[str, Schema], *, closed: bool = False) -> Schema:
    schema: Schema = {"type": "object", "required": required, "properties": properties}
    if closed:
        schema["additionalProperties"] = False
    return schema


def list_of(item: Schema) -> Schema:
    return obj(
        ["items", "next_cursor"],
        {"items": {"type": "array", "items": item}, "next_cursor": nullable({"type": "string"})},
    )


TIME = {"type": "string", "format": "date-time"}
TEXT = {"type": "string"}
INT = {"type": "integer"}
TRI_STATE = {"type": ["boolean", "null"]}

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

_ERRORS = {
    400: "Malformed: the body is not JSON",
    401: "No valid bearer token",
    403: "The token's role may not do this",
    404: "Not found",
    409: "Conflicts with what is stored",
    413: "Body too large",
    422: "Invalid input; `details` lists every problem as {field, problem}",
    503: "A dependency is unavailable; try again",
}


def _error(status: int) -> Schema:
    return {"description": _ERRORS[status], "content": {JSON: {"schema": ref("Error")}}}


def _ok(description: str, schema: Schema, status: int = 200) -> dict[int, Schema]:
    return {status: {"description": description, "content": {JSON: {"schema": schema}}}}


def op(
    summary: str,
    tag: str,
    responses: dict[int, Schema],
    *,
    errors: tuple[int, ...] = (),
    params: list[Schema] | None = None,
    body: Schema | None = None,
    public: bool = False,
) -> Schema:
    operation: Schema = {
        "summary": summary,
        "tags": [tag],
        "responses": {
            str(code): response
            for code, response in sorted(
                {
                    **responses,
                    **{e: _error(e) for e in (*errors, *(() if public else (401, 403)))},
                }.items()
            )
        },
    }
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": body}}}
    if public:
        operation["security"] = []
    return operation


def query(name: str, schema: Schema, description: str, *, required: bool = False) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


def path(name: str, schema: Schema) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema}


ID = path("id", {"type": "integer", "minimum": 1})
CURSOR = query("cursor", TEXT, "next_cursor of the previous page")
LIMIT = query("limit", {"type": "integer", "minimum": 1, "maximum": 500}, "page size")
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


def _webinar_paths() -> dict[str, Schema]:
    invalid = (422,)
    return {
        "/api/v1/calendly/sync": {
            "post": op(
                "Start a Calendly sync job (recent = last 30 days and later)",
                WEBINARS,
                _ok("Queued", obj(["job_id"], {"job_id": {"type": "string"}}), 202),
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
                _ok("Last sync", obj(["last_sync_time"], {"last_sync_time": nullable(TIME)})),
            )
        },
        "/api/v1/calendly/sync/{job_id}": {
            "get": op(
                "A sync job's status and counts",
                WEBINARS,
                _ok("The job", ref("SyncJob")),
                errors=(404,),
                params=[path("job_id", {"type": "string", "format": "uuid"})],
            )
        },
        "/api/v1/calendly/events": {
            "get": op(
                "Calendly events by start time; all statuses unless `status` is given",
                WEBINARS,
                _ok("Events", list_of(ref("CalendlyEvent"))),
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
                _ok(
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
                _ok("Created", ref("Attendee"), 201),
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
                {200: {"description": "CSV", "content": {"text/csv": {"schema": TEXT}}}},
                errors=(404,),
                params=[ID],
            )
        },
        "/api/v1/webinars/upcoming": {
            "get": op(
                "Active webinars not yet over starting within `days`, with attendance counts",
                WEBINARS,
                _ok("Upcoming webinars", list_of(ref("UpcomingWebinar"))),
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
                _ok("The attendees as now stored", list_of(ref("Attendee"))),
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
                _ok("The attendee", ref("Attendee")),
                errors=(400, 404, 413, 422),
                params=[ID],
                body=ATTENDEE_EDIT,
            )
        },
        "/api/v1/participations": {
            "get": op(
                "Participations whose webinar_date is the event's start",
                WEBINARS,
                _ok("Participations", list_of(ref("Participation"))),
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
                _ok("Created", ref("Participation"), 201),
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
                _ok("The participation", ref("Participation")),
                errors=(400, 404, 413, 422),
                params=[ID],
                body=obj(["participated"], {"participated": TRI_STATE}, closed=True),
            )
        },
        "/api/v1/users/search": {
            "get": op(
                "Users by case- and accent-insensitive prefix of a name word or the email",
                WEBINARS,
                _ok("Users", list_of(ref("User"))),
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
                _ok("The user", ref("User")),
                errors=(404,),
                params=[path("id", TEXT)],
            )
        },
    }


def _other_paths() -> dict[str, Schema]:
    open_list = list_of(ref("Open"))
    ops_list = [CURSOR, LIMIT]
    courses = "courses"
    ops = "ops"
    return {
        "/api/v1/courses": {
            "get": op(
                "Courses, optionally by Zoom sync status",
                courses,
                _ok("Courses", list_of(ref("Course"))),
                errors=(422,),
                params=[query("sync_status", {"enum": ["ok", "pending", "failed"]}, "filter")],
            )
        },
        "/api/v1/courses/{course_id}": {
            "get": op(
                "A course with its Zoom state and bookings",
                courses,
                _ok("The course", ref("CourseDetail")),
                errors=(404,),
                params=[path("course_id", TEXT)],
            )
        },
        "/api/v1/courses/{course_id}/zoom/sync": {
            "post": op(
                "Re-validate and sync the course to Zoom now",
                courses,
                _ok("Accepted", ref("Open"), 202),
                errors=(404, 409),
                params=[path("course_id", TEXT)],
            )
        },
        "/api/v1/calendly/event-types/{uuid}/zoom": {
            "put": op(
                "Map a Calendly event type to a Zoom meeting (CONTRACT §4)",
                courses,
                _ok("The mapping", ref("Open")),
                errors=(400, 404, 422),
                params=[path("uuid", TEXT)],
                body=obj(["meeting_id"], {"meeting_id": {"type": ["integer", "string"]}}),
            )
        },
        "/api/v1/notifications": {
            "get": op("What a person should see", ops, _ok("Notifications", open_list))
        },
        "/api/v1/ops/dead-letters": {
            "get": op(
                "Dead letters",
                ops,
                _ok("Dead letters", list_of(ref("DeadLetter"))),
                errors=(422,),
                params=[
                    query("source", {"enum": ["calendly", "booking", "zoom"]}, "the system"),
                    query("queue", {"enum": ["inbox", "outbox"]}, "events or Zoom commands"),
                    query("type", TEXT, "event type or outbox command"),
                    query("error", TEXT, "error class or part of its message"),
                    query("status", {"enum": ["open", "replayed", "discarded"]}, "letter state"),
                    query("since", TIME, "created at or after"),
                    *ops_list,
                ],
            )
        },
        "/api/v1/ops/dead-letters/replay": {
            "post": op(
                "Replay dead letters by filter (`dry_run` to preview)",
                ops,
                _ok("Result", ref("Open")),
                errors=(400, 422),
                body=ref("Open"),
            )
        },
        "/api/v1/ops/dead-letters/{id}": {
            "get": op(
                "One dead letter",
                ops,
                _ok("The dead letter", ref("DeadLetter")),
                errors=(404,),
                params=[ID],
            )
        },
        "/api/v1/ops/dead-letters/{id}/replay": {
            "post": op(
                "Replay one", ops, _ok("Result", ref("Open")), errors=(404, 409), params=[ID]
            )
        },
        "/api/v1/ops/dead-letters/{id}/discard": {
            "post": op(
                "Discard one, with a reason (kept in the audit)",
                ops,
                _ok("Result", ref("Open")),
                errors=(404, 409, 422),
                params=[ID],
                body=obj([], {"reason": TEXT}),
            )
        },
        "/api/v1/ops/integration-log": {
            "get": op(
                "Every outbound vendor call",
                ops,
                _ok("Calls", open_list),
                errors=(422,),
                params=[
                    query("system", {"enum": ["zoom", "calendly"]}, "vendor"),
                    query("status", TEXT, "HTTP status"),
                    query("course_id", TEXT, "the course that caused the call"),
                    query("booking_id", TEXT, "the booking that caused the call"),
                    query("since", TIME, "from"),
                    *ops_list,
                ],
            )
        },
        "/api/v1/ops/inbox": {
            "get": op(
                "Received events",
                ops,
                _ok("Inbox", open_list),
                errors=(422,),
                params=[
                    query("status", TEXT, "pending, done, ignored or dead"),
                    query("source", {"enum": ["calendly", "booking", "zoom"]}, "who sent it"),
                    query("type", TEXT, "event type"),
                    *ops_list,
                ],
            )
        },
        "/api/v1/ops/inbox/{id}": {
            "get": op(
                "One received event with its payload",
                ops,
                _ok("The event", ref("Open")),
                errors=(404,),
                params=[ID],
            )
        },
        "/api/v1/ops/reconcile-runs": {
            "get": op(
                "Reconciliation runs with their drift counts",
                ops,
                _ok("Runs", open_list),
                errors=(422,),
                params=[query("kind", {"enum": ["calendly", "zoom"]}, "system"), *ops_list],
            )
        },
        "/api/v1/ops/reconcile-runs/{id}": {
            "get": op(
                "One run with its report (one entry per drifted object)",
                ops,
                _ok("The run", ref("Open")),
                errors=(404,),
                params=[ID],
            )
        },
        "/healthz": {"get": op("Process alive", "health", _ok("Alive", ref("Open")), public=True)},
        "/readyz": {
            "get": op(
                "Ready to accept events (Postgres reachable, migrations current)",
                "health",
                {
                    **_ok("Ready", ref("Open")),
                    503: {
                        "description": "Not ready",
                        "content": {JSON: {"schema": ref("Open")}},
                    },
                },
                public=True,
            )
        },
        "/metrics": {
            "get": op(
                "Prometheus metrics",
                "health",
                {200: {"description": "Metrics", "content": {"text/plain": {"schema": TEXT}}}},
                public=True,
            )
        },
        **{
            f"/webhooks/{source}": {
                "post": op(
                    f"Ingress: {source} events (signed; CONTRACT §3)",
                    "webhooks",
                    _ok("Stored, duplicate or ignored; or the URL-validation answer", ref("Open"))
                    if source == "zoom"  # Zoom counts only 200/204 as delivered
                    else {**_ok("New", ref("Open"), 202), **_ok("Duplicate", ref("Open"))},
                    errors=(400, 401, 413, 422) if source == "booking" else (400, 401, 413),
                    body=ref("Open"),
                    public=True,
                )
            }
            for source in ("calendly", "booking", "zoom")
        },
    }


def document() -> Schema:
    # Imported here: that module builds on the helpers above.
    from service.api.openapi_attendance import (  # noqa: PLC0415
        SCHEMAS as ATTENDANCE_SCHEMAS,
    )
    from service.api.openapi_attendance import attendance_paths  # noqa: PLC0415

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "webinar-sync",
            "version": "1",
            "description": "Admin and ops API (CONTRACT §5) and ingress webhooks (§3). "
            "Errors are {error: {code, message, details}}.",
        },
        "security": [{"bearer": []}],
        "tags": [
            {"name": name}
            for name in (
                WEBINARS,
                "courses",
                "attendance",
                "analytics",
                "ops",
                "health",
                "webhooks",
            )
        ],
        "paths": {**_webinar_paths(), **_other_paths(), **attendance_paths()},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**SCHEMAS, **ATTENDANCE_SCHEMAS},
        },
    }


_DOCUMENT = document()


async def openapi_document(_request: Request) -> JSONResponse:
    return JSONResponse(_DOCUMENT)
