"""The sandbox Zoom holds meetings and serves past participants as Zoom does (CONTRACT §7)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from service.adapters.zoom.answers import instance_segment
from service.sandbox import hold_meeting
from service.sandbox.calendly import create_app as create_calendly
from service.sandbox.serve import serving
from service.sandbox.zoom import ZoomSandboxSettings, create_app
from tests.sandbox.test_zoom_sandbox import Zoom


@pytest.fixture
def zoom() -> Iterator[Zoom]:
    with serving(create_app(ZoomSandboxSettings())) as url:
        yield Zoom(url)


def _participants_path(uuid: str) -> str:
    """As the service's client sends it: a held instance's random UUID may start with `/` or
    hold `//`, which Zoom needs encoded twice (test_a_uuid_with_slashes_must_be_encoded_twice)."""
    return f"/past_meetings/{instance_segment(uuid)}/participants"


def _meeting_with_registrant(zoom: Zoom) -> tuple[int, str]:
    meeting = zoom.create_meeting(settings={"approval_type": 0})
    added = zoom.call(
        "POST",
        f"/meetings/{meeting['id']}/registrants",
        json={"email": "anna@example.com", "first_name": "Anna"},
    ).json()
    return int(meeting["id"]), str(added["registrant_id"])


def test_rows_per_segment_with_registrant_ids_and_pages(zoom: Zoom) -> None:
    meeting_id, registrant_id = _meeting_with_registrant(zoom)
    people = [{"name": "Anna", "email": "anna@example.com", "segments": [[0, 10], [20, 60]]}]
    people += [{"name": f"Guest {n}"} for n in range(4)]
    held = zoom.http.post(
        f"/_sandbox/meetings/{meeting_id}/hold", json={"participants": people}
    ).json()
    assert held["participant_rows"] == 6
    path = _participants_path(held["uuid"])
    first = zoom.call("GET", path, params={"page_size": 4}).json()
    assert first["total_records"] == 6 and len(first["participants"]) == 4
    second = zoom.call(
        "GET", path, params={"page_size": 4, "next_page_token": first["next_page_token"]}
    ).json()
    rows = first["participants"] + second["participants"]
    assert second["next_page_token"] == ""
    anna = [r for r in rows if r["name"] == "Anna"]
    assert [r["registrant_id"] for r in anna] == [registrant_id, registrant_id]
    assert {r["user_email"] for r in rows if r["name"].startswith("Guest")} == {""}
    instances = zoom.call("GET", f"/past_meetings/{meeting_id}/instances").json()
    assert instances["meetings"][0]["uuid"] == held["uuid"]


def test_a_uuid_with_slashes_must_be_encoded_twice(zoom: Zoom) -> None:
    meeting_id, _ = _meeting_with_registrant(zoom)
    uuid = "/ab//cd+ef=="
    zoom.http.post(f"/_sandbox/meetings/{meeting_id}/hold", json={"uuid": uuid})
    once = quote(uuid, safe="")
    assert zoom.call("GET", f"/past_meetings/{once}/participants").status_code == 404
    twice = quote(once, safe="")
    answer = zoom.call("GET", f"/past_meetings/{twice}/participants")
    assert answer.status_code == 200
    assert zoom.call("GET", _participants_path(uuid)).status_code == 200


def test_participants_are_not_found_until_ready(zoom: Zoom) -> None:
    meeting_id, _ = _meeting_with_registrant(zoom)
    held = zoom.http.post(
        f"/_sandbox/meetings/{meeting_id}/hold", json={"ready_after_seconds": 3600}
    ).json()
    answer = zoom.call("GET", _participants_path(held["uuid"]))
    assert answer.status_code == 404 and answer.json()["code"] == 3001


def test_hold_meeting_stages_a_webinar_with_a_realistic_audience(
    zoom: Zoom, capsys: pytest.CaptureFixture[str]
) -> None:
    with serving(create_calendly()) as calendly_url:
        assert (
            hold_meeting.main(
                ["--zoom", zoom.base_url, "--calendly", calendly_url, "--ready-after", "0"]
            )
            == 0
        )
        held = json.loads(capsys.readouterr().out)
        invitees = httpx.get(
            f"{held['calendly_event']}/invitees",
            headers={"Authorization": "Bearer sandbox-calendly-token"},
        ).json()["collection"]
    assert len(invitees) == 6
    rows = zoom.call("GET", _participants_path(held["uuid"])).json()["participants"]
    assert {r["name"] for r in rows if r["status"] == "in_waiting_room"} == {"Frank Ott"}
    assert len([r for r in rows if r["name"] == "Ben Krüger"]) == 2  # dropped out, rejoined
    assert [r["user_email"] for r in rows if r["name"] == "iPhone von Gast"] == [""]
    assert "Eva Lindqvist" not in {r["name"] for r in rows}


def test_hold_meeting_uses_a_meetings_registrants(
    zoom: Zoom, capsys: pytest.CaptureFixture[str]
) -> None:
    meeting_id, registrant_id = _meeting_with_registrant(zoom)
    assert (
        hold_meeting.main(
            ["--zoom", zoom.base_url, "--meeting", str(meeting_id), "--ready-after", "0"]
        )
        == 0
    )
    held = json.loads(capsys.readouterr().out)
    rows = zoom.call("GET", _participants_path(held["uuid"])).json()["participants"]
    assert {r["registrant_id"] for r in rows if r["user_email"]} == {registrant_id}
