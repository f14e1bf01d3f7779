"""Reading a webhook body with a hard size limit, before anything else looks at it."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import Receive

from service.domain.json_text import InvalidJson, JsonDocument, parse_json
from service.domain.numbers import ascii_int
from service.http.errors import ApiError

MAX_BODY_BYTES = 256 * 1024


class Disconnected(Exception):
    """The sender went away before its body arrived: there is no one to answer."""


async def read_limited_body(headers: Headers, receive: Receive) -> bytes:
    declared = ascii_int(headers.get("content-length"))
    if declared is not None and declared > MAX_BODY_BYTES:
        raise ApiError(413, f"body larger than {MAX_BODY_BYTES // 1024} KiB")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise Disconnected
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, f"body larger than {MAX_BODY_BYTES // 1024} KiB")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def received_json(body: bytes) -> JsonDocument:
    """The signed body parsed (CONTRACT §3); what no sender can legitimately send is a 400."""
    try:
        return parse_json(body)
    except InvalidJson as error:
        raise ApiError(400, error.reason) from None
