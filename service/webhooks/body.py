"""Reading a webhook body with a hard size limit, before anything else looks at it."""

from __future__ import annotations

from starlette.requests import Request

from service.api.errors import ApiError

MAX_BODY_BYTES = 256 * 1024


async def read_limited_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, f"body larger than {MAX_BODY_BYTES // 1024} KiB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, f"body larger than {MAX_BODY_BYTES // 1024} KiB")
        chunks.append(chunk)
    return b"".join(chunks)


def storable_text(body: bytes) -> str:
    """The body as text Postgres can store as jsonb: UTF-8 without U+0000 (else a clear 400)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "the body is not UTF-8") from None
    if "\\u0000" in text or "\x00" in text:
        raise ApiError(400, "the body contains a NUL character (\\u0000), which is not accepted")
    return text
