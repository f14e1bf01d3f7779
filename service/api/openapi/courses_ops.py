"""Courses, notifications, ops, health, metrics and the ingress webhooks in /openapi.json.

Described with their fixed field names and left open (`additionalProperties`) where their
owners add fields.
"""

from __future__ import annotations

from service.api.openapi.parts import (
    CURSOR,
    ID,
    JSON,
    LIMIT,
    TEXT,
    TIME,
    Schema,
    list_of,
    obj,
    ok,
    op,
    path,
    query,
    ref,
)


def courses_ops_paths() -> dict[str, Schema]:
    open_list = list_of(ref("Open"))
    ops_list = [CURSOR, LIMIT]
    courses = "courses"
    ops = "ops"
    return {
        "/api/v1/courses": {
            "get": op(
                "Courses, optionally by Zoom sync status",
                courses,
                ok("Courses", list_of(ref("Course"))),
                errors=(422,),
                params=[query("sync_status", {"enum": ["ok", "pending", "failed"]}, "filter")],
            )
        },
        "/api/v1/courses/{course_id}": {
            "get": op(
                "A course with its Zoom state and bookings",
                courses,
                ok("The course", ref("CourseDetail")),
                errors=(404,),
                params=[path("course_id", TEXT)],
            )
        },
        "/api/v1/courses/{course_id}/zoom/sync": {
            "post": op(
                "Re-validate and sync the course to Zoom now",
                courses,
                ok("Accepted", ref("Open"), 202),
                errors=(404, 409),
                params=[path("course_id", TEXT)],
            )
        },
        "/api/v1/calendly/event-types/{uuid}/zoom": {
            "put": op(
                "Map a Calendly event type to a Zoom meeting (CONTRACT §4)",
                courses,
                ok("The mapping", ref("Open")),
                errors=(400, 404, 422),
                params=[path("uuid", TEXT)],
                body=obj(["meeting_id"], {"meeting_id": {"type": ["integer", "string"]}}),
            )
        },
        "/api/v1/notifications": {
            "get": op("What a person should see", ops, ok("Notifications", open_list))
        },
        "/api/v1/ops/dead-letters": {
            "get": op(
                "Dead letters",
                ops,
                ok("Dead letters", list_of(ref("DeadLetter"))),
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
                ok("Result", ref("Open")),
                errors=(400, 422),
                body=ref("Open"),
            )
        },
        "/api/v1/ops/dead-letters/{id}": {
            "get": op(
                "One dead letter",
                ops,
                ok("The dead letter", ref("DeadLetter")),
                errors=(404,),
                params=[ID],
            )
        },
        "/api/v1/ops/dead-letters/{id}/replay": {
            "post": op("Replay one", ops, ok("Result", ref("Open")), errors=(404, 409), params=[ID])
        },
        "/api/v1/ops/dead-letters/{id}/discard": {
            "post": op(
                "Discard one, with a reason (kept in the audit)",
                ops,
                ok("Result", ref("Open")),
                errors=(404, 409, 422),
                params=[ID],
                body=obj([], {"reason": TEXT}),
            )
        },
        "/api/v1/ops/integration-log": {
            "get": op(
                "Every outbound vendor call",
                ops,
                ok("Calls", open_list),
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
                ok("Inbox", open_list),
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
                ok("The event", ref("Open")),
                errors=(404,),
                params=[ID],
            )
        },
        "/api/v1/ops/reconcile-runs": {
            "get": op(
                "Reconciliation runs with their drift counts",
                ops,
                ok("Runs", open_list),
                errors=(422,),
                params=[query("kind", {"enum": ["calendly", "zoom"]}, "system"), *ops_list],
            )
        },
        "/api/v1/ops/reconcile-runs/{id}": {
            "get": op(
                "One run with its report (one entry per drifted object)",
                ops,
                ok("The run", ref("Open")),
                errors=(404,),
                params=[ID],
            )
        },
        "/healthz": {"get": op("Process alive", "health", ok("Alive", ref("Open")), public=True)},
        "/readyz": {
            "get": op(
                "Ready to accept events (Postgres reachable, migrations current)",
                "health",
                {
                    **ok("Ready", ref("Open")),
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
                    ok("Stored, duplicate or ignored; or the URL-validation answer", ref("Open"))
                    if source == "zoom"  # Zoom counts only 200/204 as delivered
                    else {**ok("New", ref("Open"), 202), **ok("Duplicate", ref("Open"))},
                    errors=(400, 401, 413, 422) if source == "booking" else (400, 401, 413),
                    body=ref("Open"),
                    public=True,
                )
            }
            for source in ("calendly", "booking", "zoom")
        },
    }
