"""The sandbox Calendly behaves like Calendly's v2 API and webhook deliverer, over real HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from service.sandbox.calendly import CalendlySandboxSettings, create_app
from service.sandbox.calendly_push import build_delivery, main
from service.sandbox.serve import serving
from tests.sandbox.calendly_receiver import Receiver, receiving, verify

TOKEN = "sandbox-calendly-token"
KEY = "whsec-test-signing-key"

# Example (c) of the facts file: every key an invitee payload carries (plus `cancellation`
# on cancels) and every key of the embedded scheduled event in example (a).
INVITEE_KEYS = {
    "uri",
    "event",
    "email",
    "name",
    "first_name",
    "last_name",
    "status",
    "timezone",
    "created_at",
    "updated_at",
    "questions_and_answers",
    "tracking",
    "text_reminder_number",
    "rescheduled",
    "old_invitee",
    "new_invitee",
    "cancel_url",
    "reschedule_url",
    "routing_form_submission",
    "payment",
    "no_show",
    "reconfirmation",
    "scheduling_method",
    "invitee_scheduled_by",
    "scheduled_event",
}
EMBEDDED_EVENT_KEYS = {
    "uri",
    "name",
    "meeting_notes_plain",
    "meeting_notes_html",
    "status",
    "start_time",
    "end_time",
    "event_type",
    "location",
    "invitees_counter",
    "created_at",
    "updated_at",
    "event_memberships",
    "event_guests",
}
PAGINATION_KEYS = {"count", "next_page", "previous_page", "next_page_token", "previous_page_token"}


@dataclass
class Calendly:
    http: httpx.Client
    user: str
    organization: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {TOKEN}"}

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params, headers=self.auth)

    def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post(f"/_sandbox/{path}", json=body or {})
        assert response.is_success, response.text
        result: dict[str, Any] = response.json()
        return result

    def event(self, **fields: Any) -> dict[str, Any]:
        body = {"name": "Info-Webinar", "start_time": "2026-10-12T16:00:00Z", **fields}
        resource: dict[str, Any] = self.control("events", body)["resource"]
        return resource

    def book(self, event: dict[str, Any], email: str = "rita@example.com") -> dict[str, Any]:
        return self.control(
            "invitees", {"event": event["uri"], "name": "Rita Doro", "email": email}
        )

    def subscribe(self, url: str, **fields: Any) -> dict[str, Any]:
        body = {
            "url": url,
            "events": [
                "invitee.created",
                "invitee.canceled",
                "invitee_no_show.created",
                "invitee_no_show.deleted",
            ],
            "organization": self.organization,
            "scope": "organization",
            "signing_key": KEY,
            **fields,
        }
        response = self.http.post("/webhook_subscriptions", json=body, headers=self.auth)
        assert response.status_code == 201, response.text
        resource: dict[str, Any] = response.json()["resource"]
        return resource


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with serving(create_app()) as base_url:
        yield base_url


@pytest.fixture
def calendly(sandbox_url: str) -> Iterator[Calendly]:
    with httpx.Client(base_url=sandbox_url, timeout=30) as http:
        info = http.post("/_sandbox/reset").json()
        yield Calendly(http, info["user"], info["organization"])


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    with receiving() as pair:
        yield pair


def bodies(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(item.body) for item in receiver.received]


# -- auth, rate limits, faults -------------------------------------------------------------


def test_users_me_names_user_and_organization_under_the_sandbox_base_url(
    calendly: Calendly, sandbox_url: str
) -> None:
    response = calendly.get("/users/me")
    assert response.status_code == 200
    me = response.json()["resource"]
    assert me["uri"] == calendly.user and me["uri"].startswith(f"{sandbox_url}/users/")
    assert me["current_organization"] == calendly.organization
    assert response.headers["X-RateLimit-Limit"] == "500"
    assert response.headers["X-RateLimit-Remaining"] == "499"
    assert 0 < int(response.headers["X-RateLimit-Reset"]) <= 60


def test_missing_wrong_and_revoked_tokens_get_calendlys_401(calendly: Calendly) -> None:
    unauthenticated = {"title": "Unauthenticated", "message": "The access token is invalid"}
    assert calendly.http.get("/users/me").json() == unauthenticated
    wrong = calendly.http.get("/users/me", headers={"Authorization": "Bearer nope"})
    assert (wrong.status_code, wrong.json()) == (401, unauthenticated)

    calendly.control("tokens/revoke")
    revoked = calendly.get("/users/me")
    assert (revoked.status_code, revoked.json()) == (401, unauthenticated)

    calendly.control("tokens", {"token": "new-pat"})
    fresh = calendly.http.get("/users/me", headers={"Authorization": "Bearer new-pat"})
    assert fresh.status_code == 200


def test_rate_limit_answers_429_until_the_window_resets() -> None:
    settings = CalendlySandboxSettings(rate_limit=2, rate_window_s=1)
    with serving(create_app(settings)) as base_url, httpx.Client(base_url=base_url) as http:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        statuses = [http.get("/users/me", headers=auth).status_code for _ in range(3)]
        limited = http.get("/users/me", headers=auth)
        assert statuses == [200, 200, 429]
        assert limited.headers["X-RateLimit-Remaining"] == "0"
        assert limited.headers["X-RateLimit-Reset"] == "1"
        # Not a wait for a state: the window's real length is what is tested (the sandbox
        # Calendly's rate gate reads the monotonic clock, which a test cannot move).
        time.sleep(1.05)
        assert http.get("/users/me", headers=auth).status_code == 200


def test_faults_answer_the_next_matching_requests_and_are_logged(calendly: Calendly) -> None:
    calendly.control(
        "faults",
        {
            "method": "GET",
            "path": "^/users/me$",
            "status": 429,
            "count": 2,
            "reset_s": 7,
            "retry_after": 3,
        },
    )
    first, second, third = (calendly.get("/users/me") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 200)
    assert first.headers["X-RateLimit-Reset"] == "7"
    assert first.headers["Retry-After"] == "3"
    assert first.json()["title"] == "Too Many Requests"

    calendly.control("faults", {"path": "^/scheduled_events$", "status": 503})
    assert calendly.get("/scheduled_events", organization=calendly.organization).status_code == 503

    log = calendly.http.get("/_sandbox/requests", params={"path": "^/users/me$"}).json()
    assert [entry["status"] for entry in log["requests"]] == [429, 429, 200]


# -- scheduled events and invitees --------------------------------------------------------


def test_scheduled_events_paginate_with_calendlys_pagination_object(calendly: Calendly) -> None:
    seeded = calendly.control("seed", {"events": 250, "invitees_per_event": 2})
    assert seeded["invitees"] == 500

    seen: list[dict[str, Any]] = []
    page = calendly.get("/scheduled_events", organization=calendly.organization, count=100).json()
    pages = [page]
    while page["pagination"]["next_page"]:
        assert set(page["pagination"]) == PAGINATION_KEYS
        assert "organization=" in page["pagination"]["next_page"]
        page = calendly.http.get(page["pagination"]["next_page"], headers=calendly.auth).json()
        pages.append(page)
    for each in pages:
        seen.extend(each["collection"])
    assert [len(each["collection"]) for each in pages] == [100, 100, 50]
    assert pages[0]["pagination"]["previous_page"] is None
    assert pages[-1]["pagination"]["next_page_token"] is None
    assert pages[-1]["pagination"]["previous_page_token"] is not None
    assert len({event["uri"] for event in seen}) == 250
    assert [event["start_time"] for event in seen] == sorted(event["start_time"] for event in seen)
    assert seen[0]["invitees_counter"] == {"total": 2, "active": 2, "limit": 2}


def test_scheduled_event_filters(calendly: Calendly) -> None:
    early = calendly.event(start_time="2026-10-01T10:00:00Z")
    late = calendly.event(start_time="2026-10-20T10:00:00Z")
    other_host = calendly.event(
        start_time="2026-10-10T10:00:00Z", host={"name": "Kim", "email": "kim@example.com"}
    )
    invitee = calendly.book(early)["resource"]
    calendly.control(f"invitees/{invitee['uri'].rsplit('/', 1)[1]}/cancel", {"reason": "ill"})

    def uris(**params: Any) -> list[str]:
        response = calendly.get("/scheduled_events", **params)
        assert response.status_code == 200, response.text
        return [event["uri"] for event in response.json()["collection"]]

    org = calendly.organization
    assert uris(organization=org) == [early["uri"], other_host["uri"], late["uri"]]
    assert uris(organization=org, status="canceled") == [early["uri"]]
    assert uris(organization=org, status="active", sort="start_time:desc") == [
        late["uri"],
        other_host["uri"],
    ]
    window = {
        "min_start_time": "2026-10-10T10:00:00.000000Z",
        "max_start_time": "2026-10-20T10:00:00Z",
    }
    assert uris(organization=org, **window) == [other_host["uri"]]
    assert uris(user=calendly.user) == [early["uri"], late["uri"]]
    assert uris(organization=org, invitee_email="rita@example.com") == [early["uri"]]

    kim = other_host["event_memberships"][0]["user"]
    assert calendly.get("/scheduled_events", user=kim).status_code == 403
    assert uris(organization=org, user=kim) == [other_host["uri"]]
    assert calendly.get("/scheduled_events").status_code == 400
    assert calendly.get("/scheduled_events", organization=org, count=101).status_code == 400
    unknown = calendly.get("/scheduled_events", organization=f"{org[:-4]}XXXX")
    assert unknown.status_code == 404
    assert unknown.json()["title"] == "Resource Not Found"


def test_event_and_invitee_resources(calendly: Calendly) -> None:
    event = calendly.event(max_invitees=150)
    for index in range(120):
        calendly.book(event, email=f"p{index}@example.com")
    event_uuid = event["uri"].rsplit("/", 1)[1]

    single = calendly.get(f"/scheduled_events/{event_uuid}").json()["resource"]
    assert single["invitees_counter"] == {"total": 120, "active": 120, "limit": 150}
    first = calendly.get(f"/scheduled_events/{event_uuid}/invitees", count=100).json()
    token = first["pagination"]["next_page_token"]
    second = calendly.get(f"/scheduled_events/{event_uuid}/invitees", count=100, page_token=token)
    assert len(first["collection"]) == 100 and len(second.json()["collection"]) == 20
    assert "scheduled_event" not in first["collection"][0]  # the REST list does not embed it
    assert calendly.get("/scheduled_events/nope").status_code == 404
    assert (
        calendly.get(f"/scheduled_events/{event_uuid}/invitees", status="gone").status_code == 400
    )


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ({"type": "zoom"}, {"type": "zoom", "status": "pushed"}),
        ({"type": "google_conference"}, {"type": "google_conference", "status": "pushed"}),
        ({"type": "microsoft_teams_conference"}, {"type": "microsoft_teams_conference"}),
        ({"type": "webex_conference"}, {"type": "webex_conference"}),
        ({"type": "gotomeeting"}, {"type": "gotomeeting"}),
        ({"type": "zoom", "status": "processing"}, {"join_url": None, "data": None}),
        ({"type": "physical", "location": "Room 4"}, {"type": "physical", "location": "Room 4"}),
        ({"type": "custom", "location": None}, {"type": "custom", "location": None}),
        ({"type": "inbound_call"}, {"type": "inbound_call"}),
        ({"type": "outbound_call"}, {"type": "outbound_call"}),
        ({"type": "ask_invitee"}, {"type": "ask_invitee"}),
    ],
)
def test_every_location_variant_renders_like_calendly(
    calendly: Calendly, location: dict[str, Any], expected: dict[str, Any]
) -> None:
    rendered = calendly.event(location=location)["location"]
    assert expected.items() <= rendered.items()
    conference = location["type"] not in {
        "physical",
        "custom",
        "inbound_call",
        "outbound_call",
        "ask_invitee",
    }
    if conference and location.get("status") is None:
        assert rendered["join_url"].startswith("https://")
    if not conference:
        assert "location" in rendered


def test_seeding_a_benchmark_sized_account_is_fast(calendly: Calendly) -> None:
    started = time.perf_counter()
    seeded = calendly.control("seed", {"events": 500, "invitees_per_event": 50})
    assert seeded["invitees"] == 25_000 and len(seeded["events"]) == 500
    assert time.perf_counter() - started < 15
    assert calendly.http.get("/_sandbox/deliveries").json() == {"deliveries": []}


# -- webhook subscriptions ----------------------------------------------------------------


def test_webhook_subscription_lifecycle(calendly: Calendly) -> None:
    created = calendly.subscribe("https://example.com/webhooks/calendly")
    assert "signing_key" not in created
    assert created["state"] == "active" and created["retry_started_at"] is None
    assert created["creator"] == calendly.user and created["user"] is None

    again = calendly.http.post(
        "/webhook_subscriptions",
        json={
            "url": "https://example.com/webhooks/calendly",
            "events": ["invitee.created"],
            "organization": calendly.organization,
            "scope": "organization",
        },
        headers=calendly.auth,
    )
    assert (again.status_code, again.json()) == (
        409,
        {"title": "Already Exists", "message": "Hook with this url already exists"},
    )

    listed = calendly.get(
        "/webhook_subscriptions", organization=calendly.organization, scope="organization"
    ).json()
    assert [sub["uri"] for sub in listed["collection"]] == [created["uri"]]
    assert (
        calendly.get("/webhook_subscriptions", organization=calendly.organization).status_code
        == 400
    )

    uuid = created["uri"].rsplit("/", 1)[1]
    assert calendly.get(f"/webhook_subscriptions/{uuid}").json()["resource"] == created
    assert (
        calendly.http.delete(f"/webhook_subscriptions/{uuid}", headers=calendly.auth).status_code
        == 204
    )
    assert calendly.get(f"/webhook_subscriptions/{uuid}").status_code == 404


def test_booking_delivers_a_signed_invitee_created_matching_calendlys_payload(
    calendly: Calendly, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    subscription = calendly.subscribe(url)
    event = calendly.event(location={"type": "zoom"}, max_invitees=10)

    booked = calendly.book(event)
    assert [(d["status"], d["event"]) for d in booked["deliveries"]] == [(202, "invitee.created")]

    [delivery] = hook.received
    assert verify(delivery.body, delivery.headers["calendly-webhook-signature"], KEY)
    assert not verify(delivery.body, delivery.headers["calendly-webhook-signature"], "other-key")
    envelope = json.loads(delivery.body)
    assert list(envelope) == ["created_at", "created_by", "event", "payload"]
    assert envelope["event"] == "invitee.created"
    assert envelope["created_by"] == subscription["creator"]
    payload = envelope["payload"]
    assert set(payload) == INVITEE_KEYS
    assert payload["event"] == payload["scheduled_event"]["uri"] == event["uri"]
    assert payload["uri"].startswith(f"{event['uri']}/invitees/")
    assert set(payload["scheduled_event"]) >= EMBEDDED_EVENT_KEYS
    assert payload["scheduled_event"]["location"]["join_url"].startswith("https://")
    assert payload["tracking"] == {
        "utm_campaign": None,
        "utm_source": None,
        "utm_medium": None,
        "utm_content": None,
        "utm_term": None,
        "salesforce_uuid": None,
    }
    logged = calendly.http.get("/_sandbox/deliveries").json()["deliveries"]
    assert [(d["callback_url"], d["status"], d["subscription"]) for d in logged] == [
        (url, 202, subscription["uri"])
    ]


def test_cancel_reschedule_and_no_show_deliver_the_documented_events(
    calendly: Calendly, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    calendly.subscribe(url)
    event = calendly.event(location={"type": "google_conference"})
    invitee = calendly.book(event)["resource"]
    invitee_uuid = invitee["uri"].rsplit("/", 1)[1]

    moved = calendly.control(
        f"invitees/{invitee_uuid}/cancel",
        {"reschedule": {"start_time": "2026-10-14T16:00:00Z"}, "order": "created_first"},
    )
    new_uuid = moved["new_invitee"]["uri"].rsplit("/", 1)[1]
    calendly.control("no_shows", {"invitee": moved["new_invitee"]["uri"]})
    calendly.control("no_shows", {"invitee": new_uuid, "no_show": False})
    calendly.control(
        f"invitees/{new_uuid}/cancel",
        {"reason": "Conflict", "canceler_type": "host", "canceled_by": "Sandbox Host"},
    )

    received = bodies(hook)
    assert [body["event"] for body in received] == [
        "invitee.created",
        "invitee.created",
        "invitee.canceled",
        "invitee_no_show.created",
        "invitee_no_show.deleted",
        "invitee.canceled",
    ]
    rebooked, rescheduled_away = received[1]["payload"], received[2]["payload"]
    assert rebooked["old_invitee"] == invitee["uri"] and rebooked["rescheduled"] is False
    assert rescheduled_away["rescheduled"] is True
    assert rescheduled_away["new_invitee"] == rebooked["uri"]
    assert rescheduled_away["scheduled_event"]["status"] == "canceled"
    assert rescheduled_away["cancellation"]["canceler_type"] == "invitee"
    assert set(rescheduled_away) == INVITEE_KEYS | {"cancellation"}
    assert rebooked["scheduled_event"]["start_time"] == "2026-10-14T16:00:00.000000Z"
    no_show = received[3]["payload"]["no_show"]
    assert no_show["uri"].startswith(calendly.user.split("/users/")[0] + "/invitee_no_shows/")
    assert received[4]["payload"]["no_show"] is None
    assert received[5]["payload"]["cancellation"] == {
        "canceled_by": "Sandbox Host",
        "reason": "Conflict",
        "canceler_type": "host",
        "created_at": received[5]["payload"]["cancellation"]["created_at"],
    }


def test_group_event_stays_active_and_host_cancel_fires_one_webhook_per_invitee(
    calendly: Calendly, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    calendly.subscribe(url)
    event = calendly.event(max_invitees=3)
    first = calendly.book(event, "a@example.com")["resource"]
    calendly.book(event, "b@example.com")
    calendly.control(f"invitees/{first['uri'].rsplit('/', 1)[1]}/cancel")
    event_uuid = event["uri"].rsplit("/", 1)[1]
    assert calendly.get(f"/scheduled_events/{event_uuid}").json()["resource"]["status"] == "active"

    canceled = calendly.control(f"events/{event_uuid}/cancel", {"reason": "Trainer ill"})
    assert canceled["resource"]["status"] == "canceled"
    assert [d["event"] for d in canceled["deliveries"]] == ["invitee.canceled"]
    assert bodies(hook)[-1]["payload"]["email"] == "b@example.com"


def test_disabled_and_out_of_scope_subscriptions_get_no_deliveries(
    calendly: Calendly, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    subscription = calendly.subscribe(url)
    calendly.subscribe(f"{url}?user-scope", scope="user", user=calendly.user)
    kims_event = calendly.event(host={"name": "Kim", "email": "kim@example.com"}, max_invitees=5)

    calendly.book(kims_event, "first@example.com")
    assert len(hook.received) == 1  # the organization subscription only

    uuid = subscription["uri"].rsplit("/", 1)[1]
    disabled = calendly.control(f"subscriptions/{uuid}/disable")["resource"]
    assert disabled["state"] == "disabled" and disabled["retry_started_at"] is not None
    booked = calendly.book(kims_event, "second@example.com")
    assert booked["deliveries"] == [] and len(hook.received) == 1
    assert calendly.get(f"/webhook_subscriptions/{uuid}").json()["resource"]["state"] == "disabled"


def test_failed_delivery_marks_retry_and_redelivery_resigns(
    calendly: Calendly, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    subscription = calendly.subscribe(url)
    hook.status = 500
    [failed] = calendly.book(calendly.event())["deliveries"]
    assert failed["status"] == 500
    uuid = subscription["uri"].rsplit("/", 1)[1]
    assert calendly.get(f"/webhook_subscriptions/{uuid}").json()["resource"]["retry_started_at"]

    hook.status = 200
    retried = calendly.control(f"deliveries/{failed['id']}/redeliver")["delivery"]
    assert (retried["status"], retried["attempts"]) == (200, 2)
    assert hook.received[0].body == hook.received[1].body
    assert (
        calendly.get(f"/webhook_subscriptions/{uuid}").json()["resource"]["retry_started_at"]
        is None
    )


# -- push CLI ----------------------------------------------------------------------------


def test_build_delivery_signs_the_exact_body(calendly: Calendly) -> None:
    from datetime import UTC, datetime

    headers, body = build_delivery("invitee.created", {"uri": "x"}, KEY, datetime.now(UTC))
    assert verify(body, headers["Calendly-Webhook-Signature"], KEY)
    assert json.loads(body)["payload"] == {"uri": "x"}


def test_push_cli_sends_signed_group_bookings_and_reschedules(
    receiver: tuple[Receiver, str], capsys: pytest.CaptureFixture[str]
) -> None:
    hook, url = receiver
    assert main(["--url", url, "--signing-key", KEY, "--count", "3", "--group", "3"]) == 0
    assert (
        main(["--url", url, "--signing-key", KEY, "--event", "invitee.canceled", "--reschedule"])
        == 0
    )
    received = bodies(hook)
    assert all(
        verify(item.body, item.headers["calendly-webhook-signature"], KEY) for item in hook.received
    )
    assert len({body["payload"]["event"] for body in received[:3]}) == 1  # one group event
    assert [body["event"] for body in received[3:]] == ["invitee.canceled", "invitee.created"]
    assert received[4]["payload"]["old_invitee"] == received[3]["payload"]["uri"]
    assert set(received[0]["payload"]) == INVITEE_KEYS
    assert capsys.readouterr().out.count("-> 202") == 5

    hook.status = 401
    assert main(["--url", url, "--signing-key", KEY]) == 1


def test_no_show_is_created_read_and_deleted_by_its_own_uuid(
    calendly: Calendly, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    calendly.subscribe(url)
    invitee = calendly.book(calendly.event())["resource"]
    created = calendly.http.post(
        "/invitee_no_shows", json={"invitee": invitee["uri"]}, headers=calendly.auth
    )
    assert created.status_code == 201
    no_show = created.json()["resource"]
    assert no_show["invitee"] == invitee["uri"]
    again = calendly.http.post(
        "/invitee_no_shows", json={"invitee": invitee["uri"]}, headers=calendly.auth
    )
    assert again.status_code == 400
    no_show_uuid = no_show["uri"].rsplit("/", 1)[1]
    assert calendly.get(f"/invitee_no_shows/{no_show_uuid}").json()["resource"] == no_show
    invitee_uuid = invitee["uri"].rsplit("/", 1)[1]
    wrong = calendly.http.delete(f"/invitee_no_shows/{invitee_uuid}", headers=calendly.auth)
    assert wrong.status_code == 404
    gone = calendly.http.delete(f"/invitee_no_shows/{no_show_uuid}", headers=calendly.auth)
    assert gone.status_code == 204
    assert calendly.get(f"/invitee_no_shows/{no_show_uuid}").status_code == 404
    events = [body["event"] for body in bodies(hook)]
    assert events[-2:] == ["invitee_no_show.created", "invitee_no_show.deleted"]
