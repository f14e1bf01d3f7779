"""Our Calendly client against the sandbox Calendly, over real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from service.adapters.calendly_client import MAX_ATTEMPTS, CalendlyClient
from service.adapters.calendly_errors import (
    CalendlyAuthError,
    CalendlyConflict,
    CalendlyPlanRequired,
    CalendlyScopeNotFound,
    CalendlyUnavailable,
)
from service.sandbox.calendly import CalendlySandboxSettings, create_app
from service.sandbox.serve import free_port, serving
from tests.integration.calendly_sandbox import (
    TOKEN,
    Sandbox,
    sandbox_fixture,  # noqa: F401 - the `sandbox` fixture
    sandbox_url_fixture,  # noqa: F401 - the `sandbox_url` fixture
)
from tests.support import Recorder


@dataclass
class Sleeps:
    """Records requested waits instead of waiting, so retry tests stay fast."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(
    sandbox: Sandbox, recorder: Recorder, sleeps: Sleeps
) -> AsyncIterator[CalendlyClient]:
    async with CalendlyClient(
        sandbox.url, TOKEN, recorder, cause={"job": "test"}, sleep=sleeps
    ) as calendly:
        yield calendly


async def test_current_user_is_read_and_reported_without_the_token(
    client: CalendlyClient, sandbox: Sandbox, recorder: Recorder
) -> None:
    me = await client.current_user()
    assert me["uri"] == sandbox.user
    assert me["current_organization"] == sandbox.organization
    [call] = recorder.calls
    assert (call.system, call.method, call.path, call.status) == (
        "calendly",
        "GET",
        "/users/me",
        200,
    )
    assert call.cause == {"job": "test"} and call.duration_ms >= 0
    assert TOKEN not in repr(call)


async def test_scheduled_events_are_read_across_all_pages_with_filters(
    client: CalendlyClient, sandbox: Sandbox, recorder: Recorder
) -> None:
    await sandbox.post(
        "seed", {"events": 250, "invitees_per_event": 2, "start_time": "2026-10-01T08:00:00Z"}
    )
    events = [event async for event in client.iter_scheduled_events(sandbox.organization)]
    assert len(events) == 250 and len({event["uri"] for event in events}) == 250

    requested = await sandbox.requests("^/scheduled_events$")
    assert len(requested) == 3
    assert all(entry["query"]["count"] == "100" for entry in requested)
    assert "page_token" in requested[1]["query"] and "page_token" in requested[2]["query"]
    assert [call.path for call in recorder.calls] == ["/scheduled_events"] * 3

    since = datetime(2026, 10, 10, 8, 0, tzinfo=UTC)  # the 217th hourly event onwards
    later = [e async for e in client.iter_scheduled_events(sandbox.organization, since, "active")]
    assert len(later) == 250 - 216
    last = (await sandbox.requests("^/scheduled_events$"))[-1]["query"]
    assert last["min_start_time"] == "2026-10-10T08:00:00.000000Z"
    assert last["status"] == "active"

    by_user = [e async for e in client.iter_scheduled_events(sandbox.user, status="canceled")]
    assert by_user == []
    assert (await sandbox.requests("^/scheduled_events$"))[-1]["query"]["user"] == sandbox.user


async def test_invitees_are_read_across_pages(client: CalendlyClient, sandbox: Sandbox) -> None:
    [event_uri] = (await sandbox.post("seed", {"events": 1, "invitees_per_event": 150}))["events"]
    invitees = [invitee async for invitee in client.iter_invitees(event_uri)]
    assert len(invitees) == 150
    assert all(invitee["event"] == event_uri for invitee in invitees)
    assert len(await sandbox.requests("/invitees$")) == 2


async def test_a_429_mid_run_waits_as_told_and_then_succeeds(
    client: CalendlyClient, sandbox: Sandbox, recorder: Recorder, sleeps: Sleeps
) -> None:
    await sandbox.post("seed", {"events": 150})
    await sandbox.post(
        "faults",
        {
            "path": "^/scheduled_events$",
            "query": "page_token=",
            "status": 429,
            "count": 2,
            "reset_s": 7,
            "retry_after": 3,
        },
    )
    events = [event async for event in client.iter_scheduled_events(sandbox.organization)]
    assert len(events) == 150
    assert [call.status for call in recorder.calls] == [200, 429, 429, 200]
    assert recorder.calls[1].vendor_code == "Too Many Requests"
    assert sleeps.waits == [3.0, 3.0]  # Retry-After wins over X-RateLimit-Reset


async def test_server_errors_are_retried_with_backoff_then_given_up(
    client: CalendlyClient, sandbox: Sandbox, recorder: Recorder, sleeps: Sleeps
) -> None:
    await sandbox.post("faults", {"path": "^/users/me$", "status": 503, "count": 2})
    assert (await client.current_user())["uri"] == sandbox.user
    assert [call.status for call in recorder.calls] == [503, 503, 200]
    assert len(sleeps.waits) == 2 and all(0 < wait <= 8 for wait in sleeps.waits)

    await sandbox.post("faults", {"path": "^/users/me$", "status": 500, "count": 99})
    with pytest.raises(CalendlyUnavailable) as failure:
        await client.current_user()
    assert failure.value.status == 500
    assert [call.status for call in recorder.calls[3:]] == [500] * MAX_ATTEMPTS


async def test_network_errors_are_reported_and_retried(recorder: Recorder, sleeps: Sleeps) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    async with CalendlyClient(closed, TOKEN, recorder, sleep=sleeps) as calendly:
        with pytest.raises(CalendlyUnavailable, match="CALENDLY_API_BASE_URL"):
            await calendly.current_user()
    assert [(call.status, call.error) for call in recorder.calls] == [
        (None, "ConnectError")
    ] * MAX_ATTEMPTS


async def test_revoked_token_fails_at_once_and_says_what_to_do(
    client: CalendlyClient, sandbox: Sandbox, recorder: Recorder
) -> None:
    await sandbox.post("tokens/revoke")
    with pytest.raises(CalendlyAuthError) as failure:
        await client.current_user()
    assert str(failure.value) == (
        "Calendly rejected the API token (CALENDLY_API_TOKEN): it is missing, revoked or "
        "expired; create a new personal access token"
    )
    assert TOKEN not in str(failure.value)
    [call] = recorder.calls
    assert (call.status, call.vendor_code, call.vendor_message) == (
        401,
        "Unauthenticated",
        "The access token is invalid",
    )


async def test_unknown_scope_uris_name_the_setting_to_fix(
    client: CalendlyClient, sandbox: Sandbox
) -> None:
    wrong_org = sandbox.organization[:-4] + "XXXX"
    with pytest.raises(CalendlyScopeNotFound, match="CALENDLY_ORGANIZATION_URI") as failure:
        [event async for event in client.iter_scheduled_events(wrong_org)]
    assert wrong_org in str(failure.value)

    wrong_user = sandbox.user[:-4] + "XXXX"
    with pytest.raises(CalendlyScopeNotFound, match="CALENDLY_USER_URI") as failure:
        await client.create_webhook_subscription(
            "https://example.com/hook",
            ["invitee.created"],
            organization=sandbox.organization,
            user=wrong_user,
            scope="user",
            signing_key="k",
        )
    assert wrong_user in str(failure.value)


async def test_webhook_subscriptions_are_created_listed_and_deleted(
    client: CalendlyClient, sandbox: Sandbox
) -> None:
    url = "https://example.com/webhooks/calendly"
    created = await client.create_webhook_subscription(
        url,
        ["invitee.created", "invitee.canceled"],
        organization=sandbox.organization,
        signing_key="secret-key",
    )
    assert created["callback_url"] == url and "signing_key" not in created

    with pytest.raises(CalendlyConflict, match="delete it before creating it again"):
        await client.create_webhook_subscription(
            url, ["invitee.created"], organization=sandbox.organization, signing_key="k"
        )
    listed = await client.list_webhook_subscriptions(sandbox.organization)
    assert [sub["uri"] for sub in listed] == [created["uri"]]
    user_scoped = await client.list_webhook_subscriptions(
        sandbox.organization, scope="user", user=sandbox.user
    )
    assert user_scoped == []

    assert await client.delete_webhook_subscription(created["uri"]) is True
    assert await client.delete_webhook_subscription(created["uri"]) is False
    assert await client.list_webhook_subscriptions(sandbox.organization) == []


async def test_webhook_403_explains_the_plan_requirement(
    client: CalendlyClient, sandbox: Sandbox, recorder: Recorder
) -> None:
    upgrade = {
        "title": "Permission Denied",
        "message": "Please upgrade to a paid Calendly account.",
    }
    await sandbox.post(
        "faults",
        {"method": "POST", "path": "^/webhook_subscriptions$", "status": 403, "body": upgrade},
    )
    with pytest.raises(CalendlyPlanRequired, match="paid plan") as failure:
        await client.create_webhook_subscription(
            "https://example.com/hook",
            ["invitee.created"],
            organization=sandbox.organization,
            signing_key="k",
        )
    assert "Please upgrade to a paid Calendly account." in str(failure.value)
    assert recorder.calls[-1].vendor_message == upgrade["message"]


async def test_an_exhausted_rate_budget_waits_for_the_reset_instead_of_hitting_429(
    recorder: Recorder,
) -> None:
    settings = CalendlySandboxSettings(rate_limit=2, rate_window_s=1)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        """The client's own wait for the reset, recorded; it is what the test checks."""
        waits.append(seconds)
        await asyncio.sleep(seconds)

    with serving(create_app(settings)) as base_url:
        async with CalendlyClient(base_url, TOKEN, recorder, sleep=sleep) as calendly:
            started = time.monotonic()
            for _ in range(3):
                await calendly.current_user()
            elapsed = time.monotonic() - started
    assert [call.status for call in recorder.calls] == [200, 200, 200]
    assert len(waits) == 1 and 0.5 < waits[0] <= 1.0
    assert elapsed >= 0.5
