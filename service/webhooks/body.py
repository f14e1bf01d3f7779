"""Reading a webhook body with a hard size limit, before anything else looks at it."""

from __future__ import annotations

from starlette.requests import Request

from service.domain.json_text import InvalidJson, JsonDocument, parse_json
from service.domain.numbers import ascii_int
from service.http.errors import ApiError

MAX_BODY_BYTES = 256 * 1024


async def read_limited_body(request: Request) -> bytes:
    declared = ascii_int(request.headers.get("content-length"))
    if declared is not None and declared > MAX_BODY_BYTES:
        raise ApiError(413, f"body larger than {MAX_BODY_BYTES // 1024} KiB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, f"body larger than {MAX_BODY_BYTES // 1024} KiB")
        chunks.append(chunk)
    return b"".join(chunks)


def received_json(body: bytes) -> JsonDocument:
    """The signed body parsed (CONTRACT §3); what no sender can legitimately send is a 400."""
    try:
        return parse_json(body)
    except InvalidJson as error:
        raise ApiError(400, error.reason) from None
