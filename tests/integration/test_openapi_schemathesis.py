"""The running API against its own /openapi.json: no 5xx, no response the document contradicts.

Bounded on purpose (few, derandomized examples per operation) so it runs in well under a
minute and the same way every time; the seeded event, attendee and user give generated ids
something to hit. Raise MAX_EXAMPLES locally to explore further.
"""

from __future__ import annotations

import asyncpg
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.admin_support import make_attendee, make_event, make_user

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
async def seeded(pool: asyncpg.Pool) -> None:
    event_id = await make_event(pool)
    await make_attendee(pool, event_id, user_id=await make_user(pool, "Schema Thesis"))


async def test_document_is_public_and_names_every_info_webinar_route(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/webinars/upcoming", "/api/v1/attendees/attendance", "/healthz"} <= set(
        document["paths"]
    )


def test_api_conforms_to_its_document(api_url: str, admin_token: str, seeded: None) -> None:
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json").include(
        path_regex="^/api/v1/"
    )
    headers = {"Authorization": f"Bearer {admin_token}"}
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,  # the same examples every run: CI must be reproducible
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
        tested.append(operation.label)
    assert len(tested) >= 30, tested
