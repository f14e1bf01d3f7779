"""The sandbox Zoom over real HTTP: it must answer as Zoom's documented API does."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.sandbox.serve import serving
from service.sandbox.zoom import ZoomSandboxSettings, create_app
from tests.support import FakeClock, eventually_sync

# The operations the extractor reads, cut verbatim (prose included) from Zoom's 2.7 MB document.
REFERENCE_SPEC = Path(__file__).parent / "fixtures" / "zoom-meeting-api-operations.openapi.json"
SUBSET = Path(__file__).parents[2] / "service" / "sandbox" / "zoom_openapi_subset.json"
HOST = "akademie@example.com"


class Zoom:
    """An HTTP client for one sandbox, holding an access token."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=5)
        self.token = self.fetch_token().json()["access_token"]

    def fetch_token(self, client_id: str = "sandbox", secret: str = "sandbox") -> httpx.Response:
        return self.http.post(
            "/oauth/token",
            params={"grant_type": "account_credentials", "account_id": "sandbox"},
            auth=(client_id, secret),
        )

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.http.request(method, f"/v2{path}", headers=headers, **kwargs)

    def create_meeting(self, user: str = HOST, **body: Any) -> dict[str, Any]:
        body = {
            "topic": "Narkose Grundschulung",
            "type": 2,
            "start_time": "2030-10-12T16:00:00",
            "timezone": "Europe/Berlin",
            "duration": 300,
            "settings": {"approval_type": 0},
            **body,
        }
        response = self.call("POST", f"/users/{user}/meetings", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def add(self, meeting_id: int, email: str, **body: Any) -> httpx.Response:
        body = {"email": email, "first_name": "Rita", "last_name": "Doro", **body}
        return self.call("POST", f"/meetings/{meeting_id}/registrants", json=body)

    def registrants(self, meeting_id: int, **params: Any) -> dict[str, Any]:
        response = self.call("GET", f"/meetings/{meeting_id}/registrants", params=params)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def set_status(self, meeting_id: int, action: str, *targets: dict[str, str]) -> httpx.Response:
        body = {"action": action, "registrants": list(targets)}
        return self.call("PUT", f"/meetings/{meeting_id}/registrants/status", json=body)

    def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, f"/_sandbox{path}", **kwargs)


@pytest.fixture(scope="module")
def shared_base_url() -> Iterator[str]:
    with serving(create_app(ZoomSandboxSettings(seed=7))) as base_url:
        yield base_url


@pytest.fixture
def zoom(shared_base_url: str) -> Zoom:
    client = Zoom(shared_base_url)
    assert client.control("POST", "/reset").status_code == 200
    return client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2030, 3, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def timed_zoom(clock: FakeClock) -> Iterator[Zoom]:
    """A sandbox of its own whose clock the test controls."""
    with serving(create_app(ZoomSandboxSettings(clock=clock))) as base_url:
        yield Zoom(base_url)


def assert_zoom_error(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = dict(response.json())
    assert body["code"] == code, body
    assert isinstance(body["message"], str)
    return body


# -- OAuth -------------------------------------------------------------------------------------


def test_token_has_zoom_fields_and_points_api_url_at_the_sandbox(zoom: Zoom) -> None:
    body = zoom.fetch_token().json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert "meeting:write:meeting:admin" in body["scope"].split()
    assert body["api_url"] == zoom.base_url


def test_token_accepts_form_body_parameters(zoom: Zoom) -> None:
    response = zoom.http.post(
        "/oauth/token",
        data={"grant_type": "account_credentials", "account_id": "sandbox"},
        auth=("sandbox", "sandbox"),
    )
    assert response.status_code == 200


def test_token_refuses_wrong_credentials_and_grant(zoom: Zoom) -> None:
    wrong_secret = zoom.fetch_token(secret="nope")
    assert wrong_secret.status_code == 400
    assert wrong_secret.json()["error"] == "invalid_client"
    wrong_grant = zoom.http.post(
        "/oauth/token",
        params={"grant_type": "client_credentials", "account_id": "sandbox"},
        auth=("sandbox", "sandbox"),
    )
    assert wrong_grant.json() == {
        "reason": "unsupported grant type",
        "error": "unsupported_grant_type",
    }


def test_api_refuses_missing_and_unknown_tokens_with_code_124(zoom: Zoom) -> None:
    missing = zoom.http.get("/v2/meetings/123")
    assert missing.status_code == 401
    assert missing.json() == {"code": 124, "message": "Invalid access token."}
    unknown = zoom.http.get("/v2/meetings/123", headers={"Authorization": "Bearer forged"})
    assert_zoom_error(unknown, 401, 124)


def test_tokens_expire_after_their_lifetime(timed_zoom: Zoom, clock: FakeClock) -> None:
    assert timed_zoom.call("GET", "/meetings/1").status_code == 404
    clock.now += 3600
    assert_zoom_error(timed_zoom.call("GET", "/meetings/1"), 401, 124)


def test_control_api_expires_all_tokens(zoom: Zoom) -> None:
    assert zoom.control("POST", "/tokens/expire").json()["expired"] >= 1
    assert_zoom_error(zoom.call("GET", "/meetings/1"), 401, 124)
    zoom.token = zoom.fetch_token().json()["access_token"]
    assert zoom.call("GET", "/meetings/1").status_code == 404


def test_several_tokens_stay_valid_unless_configured_otherwise(zoom: Zoom) -> None:
    first = zoom.token
    zoom.fetch_token()
    assert zoom.call("GET", "/meetings/1").status_code == 404
    zoom.control("POST", "/settings", json={"max_active_tokens": 1})
    zoom.fetch_token()
    assert zoom.token == first
    assert_zoom_error(zoom.call("GET", "/meetings/1"), 401, 124)


# -- meetings ----------------------------------------------------------------------------------


def test_scheduled_meeting_local_start_is_returned_in_utc(zoom: Zoom) -> None:
    meeting = zoom.create_meeting()
    assert meeting["start_time"] == "2030-10-12T14:00:00Z"
    assert meeting["timezone"] == "Europe/Berlin"
    assert meeting["host_email"] == HOST
    assert meeting["settings"]["approval_type"] == 0
    assert meeting["registration_url"].startswith(zoom.base_url)
    assert "occurrences" not in meeting
    assert meeting["id"] > 10**10


def test_start_time_with_z_is_utc(zoom: Zoom) -> None:
    meeting = zoom.create_meeting(start_time="2030-10-12T16:00:00Z")
    assert meeting["start_time"] == "2030-10-12T16:00:00Z"


def test_weekly_recurrence_keeps_wall_clock_time_across_dst(zoom: Zoom) -> None:
    # Europe/Berlin leaves summer time on 2030-10-27.
    meeting = zoom.create_meeting(
        type=8,
        start_time="2030-10-21T16:00:00",
        recurrence={"type": 2, "weekly_days": "2,4", "end_times": 4},
    )
    starts = [o["start_time"] for o in meeting["occurrences"]]
    assert starts == [
        "2030-10-21T14:00:00Z",
        "2030-10-23T14:00:00Z",
        "2030-10-28T15:00:00Z",
        "2030-10-30T15:00:00Z",
    ]
    first = meeting["occurrences"][0]
    assert first["occurrence_id"] == str(
        int(datetime(2030, 10, 21, 14, tzinfo=UTC).timestamp()) * 1000
    )
    assert first["duration"] == 300
    assert first["status"] == "available"
    assert meeting["start_time"] == starts[0]


def test_weekly_recurrence_counts_intervals_from_the_start_week(zoom: Zoom) -> None:
    # 2030-10-12 is a Saturday; weekly_days 2 = Monday. The start week's Monday has passed, so
    # the series starts two (Sunday-based) weeks later, as RFC 5545 would.
    meeting = zoom.create_meeting(
        type=8, recurrence={"type": 2, "weekly_days": "2", "repeat_interval": 2, "end_times": 2}
    )
    assert [o["start_time"] for o in meeting["occurrences"]] == [
        "2030-10-21T14:00:00Z",
        "2030-11-04T15:00:00Z",
    ]


def test_daily_recurrence_until_end_date(zoom: Zoom) -> None:
    meeting = zoom.create_meeting(
        type=8,
        start_time="2030-10-12T16:00:00",
        recurrence={"type": 1, "repeat_interval": 2, "end_date_time": "2030-10-16T23:00:00Z"},
    )
    assert [o["start_time"][:10] for o in meeting["occurrences"]] == [
        "2030-10-12",
        "2030-10-14",
        "2030-10-16",
    ]


def test_monthly_recurrence_by_day_and_by_weekday(zoom: Zoom) -> None:
    by_day = zoom.create_meeting(
        type=8,
        start_time="2030-01-31T10:00:00",
        timezone="UTC",
        recurrence={"type": 3, "monthly_day": 31, "end_times": 3},
    )
    assert [o["start_time"][:10] for o in by_day["occurrences"]] == [
        "2030-01-31",
        "2030-03-31",
        "2030-05-31",
    ]
    last_friday = zoom.create_meeting(
        type=8,
        start_time="2030-01-01T10:00:00",
        timezone="UTC",
        recurrence={"type": 3, "monthly_week": -1, "monthly_week_day": 6, "end_times": 2},
    )
    assert [o["start_time"][:10] for o in last_friday["occurrences"]] == [
        "2030-01-25",
        "2030-02-22",
    ]


def test_recurrence_limits_are_enforced(zoom: Zoom) -> None:
    base = {"topic": "x", "type": 8, "start_time": "2030-10-12T16:00:00", "timezone": "UTC"}
    too_often = {**base, "recurrence": {"type": 2, "weekly_days": "2", "repeat_interval": 13}}
    both_ends = {
        **base,
        "recurrence": {"type": 1, "end_times": 2, "end_date_time": "2030-12-01T00:00:00Z"},
    }
    for body in (too_often, both_ends):
        assert_zoom_error(zoom.call("POST", f"/users/{HOST}/meetings", json=body), 400, 300)


def test_me_is_the_account_owner_and_unknown_users_are_404(zoom: Zoom) -> None:
    assert zoom.create_meeting(user="me")["host_email"] == "owner@sandbox.example"
    zoom.control("POST", "/settings", json={"unknown_users": ["Gone@Example.com"]})
    response = zoom.call("POST", "/users/gone@example.com/meetings", json={"topic": "x"})
    assert_zoom_error(response, 404, 1001)


def test_get_update_delete_meeting(zoom: Zoom) -> None:
    meeting = zoom.create_meeting()
    path = f"/meetings/{meeting['id']}"
    fetched = zoom.call("GET", path).json()
    assert fetched["uuid"] and fetched["host_id"] and fetched["status"] == "waiting"
    update = zoom.call("PATCH", path, json={"topic": "Neu", "start_time": "2030-10-13T09:00:00"})
    assert update.status_code == 204
    assert update.content == b""
    fetched = zoom.call("GET", path).json()
    assert (fetched["topic"], fetched["start_time"]) == ("Neu", "2030-10-13T07:00:00Z")
    assert zoom.call("DELETE", path).status_code == 204
    body = assert_zoom_error(zoom.call("GET", path), 404, 3001)
    assert str(meeting["id"]) in body["message"]
    assert_zoom_error(zoom.call("DELETE", path), 404, 3001)
    assert zoom.control("GET", "/state").json()["deleted_meeting_ids"] == [meeting["id"]]


def test_patch_recurring_meeting_needs_recurrence_with_a_future_start(zoom: Zoom) -> None:
    meeting = zoom.create_meeting(type=8, recurrence={"type": 1, "end_times": 2})
    path = f"/meetings/{meeting['id']}"
    no_recurrence = zoom.call("PATCH", path, json={"start_time": "2030-11-01T16:00:00"})
    assert_zoom_error(no_recurrence, 400, 300)
    with_recurrence = zoom.call(
        "PATCH",
        path,
        json={"start_time": "2030-11-01T16:00:00", "recurrence": {"type": 1, "end_times": 3}},
    )
    assert with_recurrence.status_code == 204
    occurrences = zoom.call("GET", path).json()["occurrences"]
    assert [o["start_time"] for o in occurrences] == [
        "2030-11-01T15:00:00Z",
        "2030-11-02T15:00:00Z",
        "2030-11-03T15:00:00Z",
    ]


def test_delete_one_occurrence(zoom: Zoom) -> None:
    meeting = zoom.create_meeting(type=8, recurrence={"type": 1, "end_times": 3})
    second = meeting["occurrences"][1]["occurrence_id"]
    path = f"/meetings/{meeting['id']}"
    assert zoom.call("DELETE", path, params={"occurrence_id": second}).status_code == 204
    remaining = [o["occurrence_id"] for o in zoom.call("GET", path).json()["occurrences"]]
    assert second not in remaining and len(remaining) == 2
    bad = zoom.call("DELETE", path, params={"occurrence_id": "1"})
    assert_zoom_error(bad, 400, 3000)


# -- validation against the OpenAPI subset ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": 5}, "type"),
        ({"start_time": "2030-10-12T16:00:00+02:00"}, "start_time"),
        ({"settings": {"approval_type": 3}}, "settings.approval_type"),
        ({"topic": 7}, "topic"),
        ({"password": "far-too-long-passcode"}, "password"),
        ({"type": 8, "recurrence": {"type": 2, "weekly_days": "1,8"}}, "recurrence.weekly_days"),
    ],
)
def test_create_meeting_refuses_what_zoom_refuses(
    zoom: Zoom, body: dict[str, Any], field: str
) -> None:
    response = zoom.call("POST", f"/users/{HOST}/meetings", json={"topic": "x", **body})
    error = assert_zoom_error(response, 400, 300)
    assert error["message"] == "Validation Failed."
    assert {"field": field, "message": "Invalid field."} in error["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "jürgen@example.com", "first_name": "J"}, "email"),
        ({"email": "doro@bücher.de", "first_name": "J"}, "email"),
        ({"email": "not-an-email", "first_name": "J"}, "email"),
        ({"email": "doro@example.com"}, "first_name"),
        ({"email": "doro@example.com", "first_name": "R" * 65}, "first_name"),
        ({"email": "doro@example.com", "first_name": "R", "language": "xx"}, "language"),
    ],
)
def test_add_registrant_refuses_what_zoom_refuses(
    zoom: Zoom, body: dict[str, Any], field: str
) -> None:
    meeting = zoom.create_meeting()
    response = zoom.call("POST", f"/meetings/{meeting['id']}/registrants", json=body)
    assert {"field": field, "message": "Invalid field."} in assert_zoom_error(response, 400, 300)[
        "errors"
    ]


def test_punycode_domains_and_umlauts_in_names_are_accepted(zoom: Zoom) -> None:
    meeting = zoom.create_meeting()
    response = zoom.add(meeting["id"], "doro@xn--bcher-kva.de", first_name="Jürgen")
    assert response.status_code == 201, response.text


def test_parameters_are_validated_too(zoom: Zoom) -> None:
    assert_zoom_error(zoom.call("GET", "/meetings/abc"), 400, 300)
    meeting = zoom.create_meeting()
    too_big = zoom.call("GET", f"/meetings/{meeting['id']}/registrants", params={"page_size": 301})
    assert_zoom_error(too_big, 400, 300)
    bad_status = zoom.call(
        "GET", f"/meetings/{meeting['id']}/registrants", params={"status": "cancelled"}
    )
    assert_zoom_error(bad_status, 400, 300)
    over_30 = [{"email": f"p{i}@example.com"} for i in range(31)]
    response = zoom.set_status(meeting["id"], "cancel", *over_30)
    assert {"field": "registrants", "message": "Invalid field."} in assert_zoom_error(
        response, 400, 300
    )["errors"]


def test_missing_body_is_refused(zoom: Zoom) -> None:
    meeting = zoom.create_meeting()
    response = zoom.call("POST", f"/meetings/{meeting['id']}/registrants")
    assert_zoom_error(response, 400, 300)


# -- registrants -------------------------------------------------------------------------------


def test_auto_approved_registrant_gets_a_join_url(zoom: Zoom) -> None:
    meeting = zoom.create_meeting(type=8, recurrence={"type": 1, "end_times": 2})
    added = zoom.add(meeting["id"], "doro@example.com")
    assert added.status_code == 201
    body = added.json()
    assert body["id"] == meeting["id"]
    assert body["topic"] == meeting["topic"]
    assert body["start_time"] == meeting["start_time"]
    assert body["occurrences"] == meeting["occurrences"]
    assert body["join_url"].startswith(zoom.base_url)
    assert len(body["registrant_id"]) == 22
    fetched = zoom.call("GET", f"/meetings/{meeting['id']}/registrants/{body['registrant_id']}")
    assert fetched.json()["status"] == "approved"
    assert fetched.json()["join_url"] == body["join_url"]


def test_manual_approval_registrant_is_pending_without_join_url(zoom: Zoom) -> None:
    meeting = zoom.create_meeting(settings={"approval_type": 1})
    pending = zoom.add(meeting["id"], "doro@example.com").json()
    assert "join_url" not in pending
    assert zoom.registrants(meeting["id"])["total_records"] == 0
    assert zoom.registrants(meeting["id"], status="pending")["total_records"] == 1
    assert (
        zoom.set_status(meeting["id"], "approve", {"id": pending["registrant_id"]}).status_code
        == 204
    )
    assert zoom.registrants(meeting["id"])["registrants"][0]["status"] == "approved"
    auto = zoom.add(meeting["id"], "other@example.com", auto_approve=True).json()
    assert "join_url" in auto


def test_the_add_can_leave_join_url_out_for_manual_approval_meetings_as_zoom_documents(
    zoom: Zoom,
) -> None:
    assert zoom.control("POST", "/settings", json={"add_returns_join_url": False}).is_success
    manual = zoom.create_meeting(settings={"approval_type": 1})
    added = zoom.add(manual["id"], "doro@example.com", auto_approve=True).json()
    assert "join_url" not in added
    again = zoom.add(manual["id"], "doro@example.com", auto_approve=True).json()
    assert "join_url" not in again
    [listed] = zoom.registrants(manual["id"])["registrants"]
    assert listed["id"] == added["registrant_id"] and listed["join_url"]
    fetched = zoom.call("GET", f"/meetings/{manual['id']}/registrants/{added['registrant_id']}")
    assert fetched.json()["join_url"] == listed["join_url"]
    automatic = zoom.create_meeting(settings={"approval_type": 0})
    assert zoom.add(automatic["id"], "doro@example.com").json()["join_url"]


def test_adding_the_same_email_again_returns_the_same_registrant(zoom: Zoom) -> None:
    meeting = zoom.create_meeting()
    first = zoom.add(meeting["id"], "doro@example.com").json()
    again = zoom.add(meeting["id"], "DORO@example.com")
    assert again.status_code == 201
    assert again.json()["registrant_id"] == first["registrant_id"]
    assert again.json()["join_url"] == first["join_url"]
    assert zoom.registrants(meeting["id"])["total_records"] == 1


def test_cancel_denies_and_blocks_readding_until_approved_again(zoom: Zoom) -> None:
    meeting = zoom.create_meeting()
    added = zoom.add(meeting["id"], "doro@example.com").json()
    cancel = zoom.set_status(meeting["id"], "cancel", {"email": "doro@example.com"})
    assert cancel.status_code == 204
    assert zoom.registrants(meeting["id"])["total_records"] == 0
    denied = zoom.registrants(meeting["id"], status="denied")["registrants"]
    assert [(r["id"], r["status"]) for r in denied] == [(added["registrant_id"], "denied")]
    assert_zoom_error(zoom.add(meeting["id"], "doro@example.com"), 400, 3000)
    approve = zoom.set_status(meeting["id"], "approve", {"id": added["registrant_id"]})
    assert approve.status_code == 204
    restored = zoom.registrants(meeting["id"])["registrants"]
    assert [(r["id"], r["join_url"]) for r in restored] == [
        (added["registrant_id"], added["join_url"])
    ]


def test_deleted_registrant_can_register_again(zoom: Zoom) -> None:
    meeting = zoom.create_meeting()
    added = zoom.add(meeting["id"], "doro@example.com").json()
    zoom.set_status(meeting["id"], "cancel", {"id": added["registrant_id"]})
    path = f"/meetings/{meeting['id']}/registrants/{added['registrant_id']}"
    assert zoom.call("DELETE", path).status_code == 204
    assert_zoom_error(zoom.call("DELETE", path), 400, 3000)
    again = zoom.add(meeting["id"], "doro@example.com")
    assert again.status_code == 201
    assert again.json()["registrant_id"] != added["registrant_id"]


def test_host_and_alternative_hosts_cannot_register(zoom: Zoom) -> None:
    meeting = zoom.create_meeting(
        settings={"approval_type": 0, "alternative_hosts": "co@example.com;x@example.com"}
    )
    assert_zoom_error(zoom.add(meeting["id"], HOST.upper()), 400, 3027)
    assert_zoom_error(zoom.add(meeting["id"], "co@example.com"), 400, 3027)


def test_registration_must_be_enabled(zoom: Zoom) -> None:
    meeting = zoom.create_meeting(settings={})
    assert meeting["settings"]["approval_type"] == 2
    assert zoom.add(meeting["id"], "doro@example.com").status_code == 404
    listed = zoom.call("GET", f"/meetings/{meeting['id']}/registrants")
    assert_zoom_error(listed, 400, 300)


def test_unknown_meeting_and_registrant(zoom: Zoom) -> None:
    assert_zoom_error(zoom.add(12345678901, "doro@example.com"), 404, 3001)
    meeting = zoom.create_meeting()
    unknown = zoom.set_status(meeting["id"], "cancel", {"id": "nobody"})
    assert unknown.status_code == 404


def test_registrant_list_paginates_with_next_page_token(zoom: Zoom) -> None:
    meeting = zoom.create_meeting()
    emails = [f"p{i}@example.com" for i in range(5)]
    for email in emails:
        assert zoom.add(meeting["id"], email).status_code == 201
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        page = zoom.registrants(meeting["id"], page_size=2, next_page_token=token)
        pages += 1
        assert page["total_records"] == 5
        assert page["page_count"] == 3
        seen += [r["email"] for r in page["registrants"]]
        token = page["next_page_token"]
        if not token:
            break
    assert pages == 3
    assert seen == emails
    stale = zoom.call(
        "GET", f"/meetings/{meeting['id']}/registrants", params={"next_page_token": "forged"}
    )
    assert_zoom_error(stale, 400, 300)


def test_meeting_list_pages_through_the_hosts_meetings_with_next_page_token(zoom: Zoom) -> None:
    made = [
        zoom.create_meeting(start_time=f"2030-10-{day:02d}T16:00:00", agenda=f"Kurs {day}")
        for day in (14, 12, 13)
    ]
    zoom.create_meeting(user="someone-else@example.com")
    zoom.create_meeting(type=1)  # instant meetings are never listed
    seen: list[dict[str, Any]] = []
    token = ""
    while True:
        response = zoom.call(
            "GET", f"/users/{HOST}/meetings", params={"page_size": 2, "next_page_token": token}
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["total_records"] == 3 and page["page_count"] == 2
        seen += page["meetings"]
        token = page["next_page_token"]
        if not token:
            break
    assert [m["id"] for m in seen] == [made[i]["id"] for i in (1, 2, 0)]  # by start time
    listed = seen[0]
    assert set(listed) == {
        "uuid", "id", "host_id", "topic", "type", "start_time", "duration", "timezone",
        "agenda", "created_at", "join_url",
    }  # fmt: skip
    assert listed["agenda"] == "Kurs 12" and listed["start_time"] == "2030-10-12T14:00:00Z"
    assert listed["join_url"] == made[1]["join_url"]
    forged = zoom.call("GET", f"/users/{HOST}/meetings", params={"next_page_token": "forged"})
    assert_zoom_error(forged, 400, 300)
    logged = zoom.control("GET", "/requests").json()["requests"][-1]
    assert (logged["operation"], logged["category"]) == ("meetings", "Medium")


def test_meeting_list_cuts_the_agenda_and_filters_by_type(
    timed_zoom: Zoom, clock: FakeClock
) -> None:
    past = timed_zoom.create_meeting(start_time="2030-03-01T08:00:00Z", duration=60)
    future = timed_zoom.create_meeting(agenda="x" * 300)

    def ids(list_type: str) -> list[int]:
        response = timed_zoom.call("GET", f"/users/{HOST}/meetings", params={"type": list_type})
        assert response.status_code == 200, response.text
        return [m["id"] for m in response.json()["meetings"]]

    assert ids("scheduled") == [past["id"], future["id"]]
    assert ids("upcoming") == ids("upcoming_meetings") == [future["id"]]
    assert ids("previous_meetings") == [past["id"]]
    assert ids("live") == []
    agendas = [
        m["agenda"]
        for m in timed_zoom.call("GET", f"/users/{HOST}/meetings").json()["meetings"]
        if m["id"] == future["id"]
    ]
    assert agendas == ["x" * 250]
    assert timed_zoom.call("GET", f"/meetings/{future['id']}").json()["agenda"] == "x" * 300


def test_meeting_list_is_validated_and_unknown_users_are_404(zoom: Zoom) -> None:
    path = f"/users/{HOST}/meetings"
    for params in ({"type": "all"}, {"page_size": 301}, {"page_number": "one"}):
        body = assert_zoom_error(zoom.call("GET", path, params=params), 400, 300)
        assert body["errors"][0]["field"] == next(iter(params))
    assert zoom.control("POST", "/settings", json={"unknown_users": [HOST]}).status_code == 200
    assert_zoom_error(zoom.call("GET", path), 404, 1001)
    empty = zoom.call("GET", "/users/nobody-yet@example.com/meetings").json()
    assert empty["meetings"] == [] and empty["total_records"] == 0


# -- daily limits ------------------------------------------------------------------------------


def test_registrant_adds_are_limited_per_email_and_meeting_per_utc_day(
    timed_zoom: Zoom, clock: FakeClock
) -> None:
    meeting = timed_zoom.create_meeting()
    for _ in range(3):
        assert timed_zoom.add(meeting["id"], "doro@example.com").status_code == 201
    limited = timed_zoom.add(meeting["id"], "doro@example.com")
    body = assert_zoom_error(limited, 429, 429)
    assert '"3"' in body["message"] and "doro@example.com" in body["message"]
    assert limited.headers["X-RateLimit-Type"] == "Daily-limit"
    assert limited.headers["X-RateLimit-Limit"] == "3"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["X-RateLimit-Category"] == "Light"
    assert limited.headers["Retry-After"] == "2030-03-02T00:00:00Z"
    assert timed_zoom.add(meeting["id"], "other@example.com").status_code == 201
    clock.now = datetime(2030, 3, 2, 0, 0, 1, tzinfo=UTC).timestamp()
    timed_zoom.token = timed_zoom.fetch_token().json()["access_token"]
    assert timed_zoom.add(meeting["id"], "doro@example.com").status_code == 201


def test_meeting_creates_and_updates_are_limited_per_host(zoom: Zoom) -> None:
    zoom.control("POST", "/settings", json={"meeting_writes_per_day_per_host": 2})
    meeting = zoom.create_meeting()
    assert zoom.call("PATCH", f"/meetings/{meeting['id']}", json={"topic": "b"}).status_code == 204
    limited = zoom.call("POST", f"/users/{HOST}/meetings", json={"topic": "c"})
    body = assert_zoom_error(limited, 429, 429)
    assert "daily rate limit (2) of Meeting Create/Update" in body["message"]
    assert limited.headers["X-RateLimit-Category"] == "Medium"
    assert zoom.create_meeting(user="other-host@example.com")["topic"]
    state = zoom.control("GET", "/state").json()
    assert state["rate_limited"]["by_operation"] == {"meetingCreate": 1}
    assert state["rate_limited"]["by_type"] == {"Daily-limit": 1}


def test_status_updates_are_limited_per_registrant(zoom: Zoom) -> None:
    zoom.control("POST", "/settings", json={"registrant_status_updates_per_day": 2})
    meeting = zoom.create_meeting()
    zoom.add(meeting["id"], "doro@example.com")
    for action in ("cancel", "approve"):
        assert (
            zoom.set_status(meeting["id"], action, {"email": "doro@example.com"}).status_code == 204
        )
    limited = zoom.set_status(meeting["id"], "cancel", {"email": "doro@example.com"})
    assert "Update registrant's status" in assert_zoom_error(limited, 429, 429)["message"]


# -- per-second limits -------------------------------------------------------------------------


def test_per_second_limit_per_category_in_a_sliding_window(
    timed_zoom: Zoom, clock: FakeClock
) -> None:
    zoom = timed_zoom
    meeting = zoom.create_meeting()
    zoom.control("POST", "/settings", json={"medium_per_second": 3})
    clock.now += 1.05  # creating the meeting used Medium quota too
    statuses = [
        zoom.call("GET", f"/meetings/{meeting['id']}/registrants").status_code for _ in range(3)
    ]
    limited = zoom.call("GET", f"/meetings/{meeting['id']}/registrants")
    assert statuses == [200, 200, 200]
    assert_zoom_error(limited, 429, 429)
    assert limited.json()["message"] == (
        "You have reached the maximum per-second rate limit for this API. Try again later."
    )
    assert limited.headers["X-RateLimit-Category"] == "Medium"
    assert limited.headers["X-RateLimit-Type"] == "QPS"
    assert limited.headers["X-RateLimit-Limit"] == "3"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert zoom.call("GET", f"/meetings/{meeting['id']}").status_code == 200  # Light is separate
    clock.now += 1.05
    assert zoom.call("GET", f"/meetings/{meeting['id']}/registrants").status_code == 200
    state = zoom.control("GET", "/state").json()
    assert state["rate_limited"]["by_type"] == {"QPS": 1}
    assert state["calls"]["meetingRegistrants"] == 5


# -- faults ------------------------------------------------------------------------------------


def test_injected_error_replaces_the_operation_n_times(zoom: Zoom) -> None:
    fault = zoom.control(
        "POST",
        "/faults",
        json={
            "method": "POST",
            "path": r"^/v2/users/[^/]+/meetings$",
            "times": 2,
            "status": 503,
            "body": {"code": 503, "message": "down"},
            "headers": {"Retry-After": "2"},
        },
    )
    assert fault.status_code == 201
    for _ in range(2):
        failed = zoom.call("POST", f"/users/{HOST}/meetings", json={"topic": "x"})
        assert (failed.status_code, failed.headers["Retry-After"]) == (503, "2")
    assert zoom.control("GET", "/state").json()["meetings"] == []
    zoom.create_meeting()
    log = zoom.control("GET", "/requests").json()["requests"]
    creates = [e for e in log if e["operation"] == "meetingCreate"]
    assert [e["status"] for e in creates] == [503, 503, 201]
    assert creates[0]["fault_id"] == fault.json()["id"]
    assert creates[0]["body"] == {"topic": "x"}
    assert creates[0]["category"] == "Medium"


def test_lost_answer_after_the_effect(zoom: Zoom) -> None:
    meeting = zoom.create_meeting()
    zoom.control(
        "POST",
        "/faults",
        json={"path": "/registrants$", "status": 502, "after_effect": True},
    )
    assert zoom.add(meeting["id"], "doro@example.com").status_code == 502
    registrants = zoom.control("GET", "/state").json()["meetings"][0]["registrants"]
    assert [r["email"] for r in registrants] == ["doro@example.com"]


def test_delay_makes_the_client_time_out_with_or_without_the_effect(zoom: Zoom) -> None:
    meeting = zoom.create_meeting()
    registrants = f"/meetings/{meeting['id']}/registrants"
    zoom.control("POST", "/faults", json={"path": "/registrants$", "delay_seconds": 0.5})
    zoom.control(
        "POST",
        "/faults",
        json={"path": "/registrants$", "delay_seconds": 0.5, "after_effect": True},
    )
    body = {"email": "late@example.com", "first_name": "L"}
    for _ in range(2):
        with pytest.raises(httpx.ReadTimeout):
            zoom.call("POST", registrants, json=body, timeout=0.2)
    added = eventually_sync(lambda: zoom.registrants(meeting["id"])["registrants"], within=5)
    assert [r["email"] for r in added] == ["late@example.com"]
    assert zoom.control("GET", "/faults").json()["faults"][0]["times"] == 0


def test_faults_can_hit_the_token_endpoint(zoom: Zoom) -> None:
    zoom.control("POST", "/faults", json={"path": "^/oauth/token$", "status": 500})
    assert zoom.fetch_token().status_code == 500
    assert zoom.fetch_token().status_code == 200


def test_malformed_fault_is_refused(zoom: Zoom) -> None:
    assert zoom.control("POST", "/faults", json={"path": "("}).status_code == 400
    assert zoom.control("POST", "/faults", json={"path": "x", "times": 0}).status_code == 400


# -- control API -------------------------------------------------------------------------------


def test_state_shows_meetings_with_registrants_and_statuses(zoom: Zoom) -> None:
    meeting = zoom.create_meeting(settings={"approval_type": 1})
    zoom.add(meeting["id"], "doro@example.com")
    state = zoom.control("GET", "/state").json()
    [seen] = state["meetings"]
    assert (seen["id"], seen["topic"], seen["approval_type"]) == (
        meeting["id"],
        meeting["topic"],
        1,
    )
    assert [(r["email"], r["status"]) for r in seen["registrants"]] == [
        ("doro@example.com", "pending")
    ]
    assert state["calls"] == {"meetingCreate": 1, "meetingRegistrantCreate": 1}
    assert "client_secret" not in state["settings"]


def test_reset_clears_data_and_restores_settings_but_keeps_tokens(zoom: Zoom) -> None:
    zoom.create_meeting()
    zoom.control("POST", "/settings", json={"light_per_second": 1})
    zoom.control("POST", "/faults", json={"path": "x", "status": 500})
    assert zoom.control("POST", "/reset").status_code == 200
    state = zoom.control("GET", "/state").json()
    assert state["meetings"] == [] and state["calls"] == {}
    assert state["settings"]["light_per_second"] == 30
    assert zoom.control("GET", "/faults").json()["faults"] == []
    assert zoom.control("GET", "/requests").json()["requests"] == []
    assert zoom.call("GET", "/meetings/1").status_code == 404


def test_settings_patch_refuses_unknown_and_mistyped_fields(zoom: Zoom) -> None:
    assert zoom.control("POST", "/settings", json={"clock": 1}).status_code == 400
    assert zoom.control("POST", "/settings", json={"light_per_second": "9"}).status_code == 400
    patched = zoom.control("POST", "/settings", json={"heavy_per_second": 4})
    assert patched.json()["settings"]["heavy_per_second"] == 4


# -- the OpenAPI subset ------------------------------------------------------------------------


def test_committed_subset_is_what_the_extractor_produces(tmp_path: Path) -> None:
    output = tmp_path / "subset.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "service.sandbox.extract_zoom_subset",
            str(REFERENCE_SPEC),
            "--output",
            str(output),
        ],
        check=True,
        capture_output=True,
    )
    assert json.loads(output.read_text()) == json.loads(SUBSET.read_text())


def test_get_meeting_hides_past_occurrences_unless_asked(
    timed_zoom: Zoom, clock: FakeClock
) -> None:
    meeting = timed_zoom.create_meeting(
        type=8, start_time="2030-03-02T10:00:00Z", recurrence={"type": 1, "end_times": 3}
    )
    clock.now = datetime(2030, 3, 3, 16, 0, tzinfo=UTC).timestamp()
    timed_zoom.token = timed_zoom.fetch_token().json()["access_token"]
    path = f"/meetings/{meeting['id']}"
    upcoming = timed_zoom.call("GET", path).json()["occurrences"]
    assert [o["start_time"] for o in upcoming] == ["2030-03-04T10:00:00Z"]
    everything = timed_zoom.call("GET", path, params={"show_previous_occurrences": "true"})
    assert len(everything.json()["occurrences"]) == 3
