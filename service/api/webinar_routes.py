"""The info-webinar admin API's routes (CONTRACT §5 "Info-webinars")."""

from __future__ import annotations

from starlette.routing import BaseRoute

from service.api import attendees, calendly, calendly_sync, participations, users
from service.api.operation import ApiRoute
from service.http.exports import export_attendees

V1 = "/api/v1"


def routes() -> list[BaseRoute]:
    # Fixed paths before the templated ones they would otherwise match (sync/last, attendance).
    sync, events, people = f"{V1}/calendly/sync", f"{V1}/calendly/events", f"{V1}/participations"
    return [
        ApiRoute(sync, calendly_sync.start_sync, "POST", calendly_sync.START_SYNC),
        ApiRoute(f"{sync}/last", calendly_sync.last_sync, "GET", calendly_sync.LAST_SYNC),
        ApiRoute(f"{sync}/{{job_id}}", calendly_sync.get_sync, "GET", calendly_sync.GET_SYNC),
        ApiRoute(events, calendly.list_events, "GET", calendly.LIST_EVENTS),
        ApiRoute(f"{events}/{{id}}", calendly.get_event, "GET", calendly.GET_EVENT),
        ApiRoute(
            f"{events}/{{id}}/attendees", attendees.add_attendee, "POST", attendees.ADD_ATTENDEE
        ),
        ApiRoute(
            f"{events}/{{id}}/attendees.csv", export_attendees, "GET", calendly.EXPORT_ATTENDEES
        ),
        ApiRoute(
            f"{V1}/webinars/upcoming",
            calendly.upcoming_webinars,
            "GET",
            calendly.UPCOMING_WEBINARS,
        ),
        ApiRoute(
            f"{V1}/attendees/attendance",
            attendees.set_attendance,
            "PUT",
            attendees.SET_ATTENDANCE,
        ),
        ApiRoute(
            f"{V1}/attendees/{{id}}", attendees.edit_attendee, "PATCH", attendees.EDIT_ATTENDEE
        ),
        ApiRoute(
            people,
            participations.list_participations,
            "GET",
            participations.LIST_PARTICIPATIONS,
        ),
        ApiRoute(
            people,
            participations.create_participation,
            "POST",
            participations.CREATE_PARTICIPATION,
        ),
        ApiRoute(
            f"{people}/{{id}}",
            participations.update_participation,
            "PATCH",
            participations.UPDATE_PARTICIPATION,
        ),
        ApiRoute(f"{V1}/users/search", users.search_users, "GET", users.SEARCH_USERS),
        ApiRoute(f"{V1}/users/{{id}}", users.get_user, "GET", users.GET_USER),
    ]
