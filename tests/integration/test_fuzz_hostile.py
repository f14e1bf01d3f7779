"""Hostile input, generated: no 5xx anywhere, and refused input changes nothing (CONTRACT §3).

Hypothesis builds bodies for every ingress endpoint — valid envelopes with fuzzed values
(any code point, U+0000 and lone surrogates included), arbitrary JSON, bytes that are not
UTF-8, NaN, deep nesting, huge numbers — and sends each signed and unsigned. Every /api/v1
operation gets hostile path and query values and hostile JSON bodies. Seeded and bounded
(`derandomize`, MAX_EXAMPLES) so it runs the same way in every test run, in well under a
minute; raise MAX_EXAMPLES locally to explore further. docs/security.md lists what it found.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route

from service.adapters import ui_sessions
from service.adapters.api_tokens import create_token
from service.adapters.postgres import create_pool
from service.api.document import document
from service.app import create_app, routes
from service.config import load_settings
from service.sandbox.serve import serving
from service.ui.guard import CSRF_FIELD, SESSION_COOKIE
from service.ui.routes import routes as ui_routes
from tests.integration.ingress_support import SIGNERS, ingress_api
from tests.support import Servers, fresh_database, service_environment

MAX_EXAMPLES = 200
API_EXAMPLES = 30
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,  # seeded: the same examples on every run
    suppress_health_check=list(HealthCheck),
)

# Any code point: surrogates (category Cs) and U+0000 included.
ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=20)
URL_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12) | st.sampled_from(
    ["\x00", "²", "٣", "1²", "-1", "0", "9" * 30, "%", "_", "\\", "' OR 1=1 --", "😀", "１２"]
)
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | ANY_TEXT
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4)
    ),
    max_leaves=10,
)
RAW_HOSTILE = st.sampled_from(
    [
        b"",
        b"null",
        b"{",
        b'{"a": NaN}',
        b'{"a": -Infinity}',
        b'{"a": 1e999}',
        b'{"a": 1' + b"0" * 5000 + b"}",
        b"[" * 65 + b"]" * 65,
        b"[" * 20000,
        b"\xff\xfe\x00",
        b'{"a": "\xed\xa0\x80"}',  # a surrogate encoded as if it were UTF-8
        b'{"a": "\x00"}',  # a raw control character inside a string
    ]
)

TEMPLATES: dict[str, dict[str, Any]] = {
    "/webhooks/calendly": {
        "event": "invitee.created",
        "created_at": "2031-01-01T10:00:00.000000Z",
        "payload": {
            "uri": "https://api.calendly.com/scheduled_events/E/invitees/I",
            "email": "guest@example.com",
            "name": "Guest",
            "status": "active",
            "scheduled_event": {"uri": "https://api.calendly.com/scheduled_events/E"},
        },
    },
    "/webhooks/booking": {
        "type": "booking.upserted",
        "timestamp": "2031-01-01T10:00:00Z",
        "data": {
            "booking": {
                "id": "BN-FUZZ",
                "version": 1,
                "course_id": "fuzz-course",
                "status": "confirmed",
                "participant": {"first_name": "R", "last_name": "D", "email": "r@example.com"},
            }
        },
    },
    "/webhooks/zoom": {
        "event": "meeting.registration_created",
        "event_ts": 1,
        "payload": {"object": {"id": 1, "registrant": {"id": "r", "email": "r@example.com"}}},
    },
}


@pytest.fixture(scope="module")
def database_url(servers: Servers) -> Iterator[str]:
    """A database of this module alone: "refused input changes no table" is checked on
    every table, and the session's database keeps changing under other tests' workers."""
    with fresh_database(servers) as dsn:
        yield dsn


@pytest.fixture(scope="module")
def service_env(database_url: str, servers: Servers) -> dict[str, str]:
    return service_environment(database_url, servers.redis_url)


@pytest.fixture(scope="module")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url)
    yield pool
    await pool.close()


@pytest.fixture(scope="module")
def api_url(service_env: dict[str, str]) -> Iterator[str]:
    with serving(create_app(load_settings(service_env))) as url:
        yield url


@pytest.fixture(scope="module")
async def admin_token(pool: asyncpg.Pool) -> str:
    async with pool.acquire() as conn:
        return await create_token(conn, "fuzz-admin", "admin")


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(child, (*path, key))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


@st.composite
def bodies(draw: st.DrawFn, path: str) -> bytes:
    """A body for `path`: its envelope with fuzzed values, or anything else hostile."""
    kind = draw(st.sampled_from(["envelope", "envelope", "json", "raw", "unencodable"]))
    if kind == "raw":
        return draw(RAW_HOSTILE)
    if kind == "json":
        return json.dumps(draw(JSON_VALUES)).encode()
    document_ = TEMPLATES[path]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        where = draw(st.sampled_from(list(_leaves(document_))[1:]))
        document_ = _replaced(document_, where, draw(JSON_VALUES))
    if kind == "unencodable":  # lone surrogates written raw: not UTF-8
        return json.dumps(document_, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return json.dumps(document_).encode()


@pytest.fixture(scope="module")
def ingress_url(service_env: dict[str, str]) -> Iterator[str]:
    with ingress_api(service_env) as url:
        yield url


class Database:
    """Synchronous reads for hypothesis' synchronous tests, on a loop of their own."""

    def __init__(self, dsn: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.conn: asyncpg.Connection = self.loop.run_until_complete(asyncpg.connect(dsn))
        tables = self.loop.run_until_complete(
            self.conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT IN ('api_tokens', 'schema_migrations') ORDER BY 1"
            )
        )
        # Row count and newest row version of every table: any insert, update or delete
        # changes it.
        self.fingerprint_sql = " UNION ALL ".join(
            f"SELECT '{t['tablename']}', count(*), coalesce(max(xmin::text::bigint), 0) "  # noqa: S608 - names from pg_tables
            f'FROM "{t["tablename"]}"'
            for t in tables
        )

    def fingerprint(self) -> list[tuple[str, int, int]]:
        rows = self.loop.run_until_complete(self.conn.fetch(self.fingerprint_sql))
        return [tuple(r) for r in rows]

    def inbox_has(self, inbox_id: int) -> bool:
        found = self.loop.run_until_complete(
            self.conn.fetchval("SELECT true FROM inbox WHERE id = $1", inbox_id)
        )
        return bool(found)

    def close(self) -> None:
        self.loop.run_until_complete(self.conn.close())
        self.loop.close()


@pytest.fixture(scope="module")
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.close()


@pytest.mark.parametrize("path", list(TEMPLATES))
def test_no_body_gives_a_5xx_and_a_refused_one_stores_nothing(
    ingress_url: str, database: Database, path: str
) -> None:
    sign: Callable[[bytes], dict[str, str]] = SIGNERS[path]
    with httpx.Client(base_url=ingress_url, timeout=10) as client:

        @SETTINGS
        @given(body=bodies(path), signed=st.booleans())
        def check(body: bytes, signed: bool) -> None:
            before = database.fingerprint()
            headers = sign(body) if signed else {"content-type": "application/json"}
            response = client.post(path, content=body, headers=headers)
            assert response.status_code < 500, (response.status_code, response.text)
            assert response.json()  # every answer is JSON naming what happened
            if response.status_code >= 400:
                assert database.fingerprint() == before
            else:
                assert database.inbox_has(int(response.json()["id"]))
            if not signed:
                assert response.status_code == 401

        check()


SIGNATURE_HEADERS = {
    "/webhooks/calendly": ["calendly-webhook-signature"],
    "/webhooks/booking": ["webhook-id", "webhook-timestamp", "webhook-signature"],
    "/webhooks/zoom": ["x-zm-request-timestamp", "x-zm-signature"],
}
HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=80
) | st.sampled_from(["t=²,v1=" + "0" * 64, "t=٣٣٣,v1=", "v1,", "v0=zz", "1²", "-1", "0" * 40])


@pytest.mark.parametrize("path", list(TEMPLATES))
def test_hostile_signature_headers_are_refused_without_a_5xx(
    ingress_url: str, database: Database, path: str
) -> None:
    body = json.dumps(TEMPLATES[path]).encode()
    with httpx.Client(base_url=ingress_url, timeout=10) as client:

        @SETTINGS
        @given(values=st.lists(HEADER_TEXT, min_size=3, max_size=3))
        def check(values: list[str]) -> None:
            before = database.fingerprint()
            headers = {k.lower(): v for k, v in SIGNERS[path](body).items()}
            for name, value in zip(SIGNATURE_HEADERS[path], values, strict=False):
                headers[name] = value.strip(" \t")  # HTTP trims these anyway
            raw = [(k.encode(), v.encode()) for k, v in headers.items()]  # UTF-8 on the wire
            response = client.post(path, content=body, headers=raw)
            assert response.status_code in (400, 401), (response.status_code, response.text)
            assert database.fingerprint() == before

        check()


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in document(routes())["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in operations.items()
    ]


@pytest.mark.parametrize("case", _operations(), ids=lambda case: f"{case[0]} {case[1]}")
def test_api_operations_answer_hostile_input_without_a_5xx(
    api_url: str, admin_token: str, database: Database, case: tuple[str, str, Any]
) -> None:
    method, path, operation = case
    parameters = operation.get("parameters", [])
    path_names = [p["name"] for p in parameters if p["in"] == "path"]
    query_names = [p["name"] for p in parameters if p["in"] == "query"]
    headers = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=api_url, headers=headers, timeout=10) as client:

        @settings(SETTINGS, max_examples=API_EXAMPLES)
        @given(
            path_values=st.lists(URL_TEXT.filter(bool), min_size=len(path_names), max_size=3),
            query=st.dictionaries(st.sampled_from(query_names or ["x"]), URL_TEXT, max_size=3),
            body=st.one_of(RAW_HOSTILE, JSON_VALUES.map(lambda v: json.dumps(v).encode())),
        )
        def check(path_values: list[str], query: dict[str, str], body: bytes) -> None:
            url = path
            for name, value in zip(path_names, path_values, strict=False):
                url = url.replace("{" + name + "}", quote(value, safe=""))
            writes = method != "GET"
            before = database.fingerprint() if writes else []
            response = client.request(method, url, params=query, content=body if writes else None)
            assert response.status_code < 500, (url, query, body[:80], response.text)
            if writes and response.status_code >= 400:
                assert database.fingerprint() == before, (url, body[:80], response.text)

        check()


UI_PARAMETERS = [
    "days", "sort", "dir", "attendance", "q", "sync_status", "source", "type", "error",
    "system", "status", "course", "course_id", "cursor", "before", "lang", "from", "to",
    "group", "id", "attendee_id", "booking_id", "name", "email", "notes", "reason",
    "prognosis_class_count", "prognosis_start", "user_id", "mode", "since", "dry_run",
]  # fmt: skip


def _ui_routes() -> list[tuple[str, str]]:
    return [
        (method, route.path)
        for route in ui_routes()
        if isinstance(route, Route) and route.path != "/ui/logout"
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]


@pytest.fixture(scope="module")
async def ui_session(pool: asyncpg.Pool, admin_token: str) -> tuple[str, str]:
    async with pool.acquire() as conn:
        session_id = await ui_sessions.open_with_token(conn, admin_token)
        assert session_id is not None
        csrf = await conn.fetchval("SELECT csrf_token FROM ui_sessions ORDER BY created_at DESC")
    return session_id, csrf


@pytest.mark.parametrize("case", _ui_routes(), ids=lambda case: f"{case[0]} {case[1]}")
def test_ui_pages_answer_hostile_input_without_a_5xx(
    api_url: str, ui_session: tuple[str, str], case: tuple[str, str]
) -> None:
    """CONTRACT §3: no input gives a 500 on the web UI either (§6), signed in as an admin."""
    method, path = case
    session_id, csrf = ui_session
    path_names = re.findall(r"{(\w+)(?::\w+)?}", path)
    cookies = {SESSION_COOKIE: session_id}
    with httpx.Client(base_url=api_url, cookies=cookies, timeout=10) as client:

        @settings(SETTINGS, max_examples=API_EXAMPLES)
        @given(
            path_values=st.lists(URL_TEXT.filter(bool), min_size=len(path_names), max_size=3),
            query=st.dictionaries(st.sampled_from(UI_PARAMETERS), URL_TEXT, max_size=3),
            form=st.dictionaries(st.sampled_from(UI_PARAMETERS), URL_TEXT, max_size=4),
        )
        def check(path_values: list[str], query: dict[str, str], form: dict[str, str]) -> None:
            url = path
            for name, value in zip(path_names, path_values, strict=False):
                url = re.sub(r"{" + name + r"(?::\w+)?}", quote(value, safe=""), url)
            data = {**form, CSRF_FIELD: csrf} if method == "POST" else None
            response = client.request(method, url, params=query, data=data)
            assert response.status_code < 500, (method, url, query, form, response.text[:300])

        check()
