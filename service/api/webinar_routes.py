"""The info-webinar admin API's routes (CONTRACT §5 "Info-webinars") and the API document."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from service.api.attendees import add_attendee, edit_attendee, set_attendance
from service.api.calendly import get_event, list_events, upcoming_webinars
from service.api.calendly_sync import get_sync, last_sync, start_sync
from service.api.openapi import openapi_document
from service.api.participations import (
    create_participation,
    list_participations,
    update_participation,
)
from service.api.users import get_user, search_users
from service.http.exports import export_attendees

V1 = "/api/v1"


def routes() -> list[BaseRoute]:
    # Fixed paths before the templated ones they would otherwise match (sync/last, attendance).
    return [
        Route("/openapi.json", openapi_document, methods=["GET"]),
        Route(f"{V1}/calendly/sync", start_sync, methods=["POST"]),
        Route(f"{V1}/calendly/sync/last", last_sync, methods=["GET"]),
        Route(f"{V1}/calendly/sync/{{job_id}}", get_sync, methods=["GET"]),
        Route(f"{V1}/calendly/events", list_events, methods=["GET"]),
        Route(f"{V1}/calendly/events/{{id}}", get_event, methods=["GET"]),
        Route(f"{V1}/calendly/events/{{id}}/attendees", add_attendee, methods=["POST"]),
        Route(f"{V1}/calendly/events/{{id}}/attendees.csv", export_attendees, methods=["GET"]),
        Route(f"{V1}/webinars/upcoming", upcoming_webinars, methods=["GET"]),
        Route(f"{V1}/attendees/attendance", set_attendance, methods=["PUT"]),
        Route(f"{V1}/attendees/{{id}}", edit_attendee, methods=["PATCH"]),
        Route(f"{V1}/participations", list_participations, methods=["GET"]),
        Route(f"{V1}/participations", create_participation, methods=["POST"]),
        Route(f"{V1}/participations/{{id}}", update_participation, methods=["PATCH"]),
        Route(f"{V1}/users/search", search_users, methods=["GET"]),
        Route(f"{V1}/users/{{id}}", get_user, methods=["GET"]),
    ]
