"""How a Zoom call failed, in the four ways a caller must treat differently
(docs/architecture.md: "Failures are classified").

Every class carries Zoom's HTTP status, its numeric error `code` and its `message` (when Zoom
sent one), so the worker can log them and put them into the dead-letter row unchanged.
Messages are Zoom's own text or ours; they never contain a token or a secret.
"""

from __future__ import annotations

from datetime import datetime


class ZoomError(Exception):
    """Base of all Zoom failures; `status`/`code` are None when Zoom never answered."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __str__(self) -> str:
        details = [f"HTTP {self.status}"] if self.status is not None else []
        if self.code is not None:
            details.append(f"Zoom code {self.code}")
        return f"{self.message} ({', '.join(details)})" if details else self.message


class ZoomRetryable(ZoomError):
    """Transient: network error, 5xx, per-second 429. Trying again later may succeed.

    `retry_after` (seconds) is set when Zoom said how long to wait.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class ZoomDeferred(ZoomError):
    """Not now, but surely later: a daily limit (until after 00:00 UTC) or no credentials.

    The work must wait until `until` (UTC) and must not count as a failed attempt.
    """

    def __init__(
        self,
        until: datetime,
        reason: str,
        *,
        status: int | None = None,
        code: int | None = None,
    ):
        super().__init__(reason, status=status, code=code)
        self.until = until
        self.reason = reason

    def __str__(self) -> str:
        return f"{super().__str__()}; deferred until {self.until.isoformat()}"


class ZoomTerminal(ZoomError):
    """Zoom refused the request (validation, not found, not the host, …); repeating won't help."""

    def __init__(self, status: int | None, code: int | None, message: str):
        super().__init__(message, status=status, code=code)


class ZoomAmbiguous(ZoomError):
    """The request may or may not have been applied (e.g. a POST that timed out).

    Repeating it blindly could spend a daily quota twice or create a duplicate; the caller must
    look the object up in Zoom before deciding to try again.
    """


class ZoomNotFound(ZoomTerminal):
    """The meeting (or registrant) does not exist or has expired: HTTP 404 or Zoom code 3001."""


class ZoomMeetingEnded(ZoomTerminal):
    """The meeting has ended, so Zoom refuses to delete it (code 3007)."""


class ZoomParticipantsNotReady(ZoomTerminal):
    """Zoom has no participant list for the instance yet (the meeting is unknown to the report
    or has not ended: codes 3001, 3000, 12702); it fills the list late."""


class ZoomRegistrantRefused(ZoomTerminal):
    """Zoom refused to add a registrant (code 3000): it keeps a cancelled one as denied and
    will not add that email again."""


MEETING_NOT_FOUND = 3001
MEETING_ENDED = 3007
# "Meeting does not exist / has expired" and "meeting has not ended": no participant list yet.
PARTICIPANTS_NOT_READY = frozenset({MEETING_NOT_FOUND, 3000, 12702})
REGISTRANT_REFUSED = 3000  # on an add: Zoom keeps the cancelled registrant as denied


def terminal(status: int | None, code: int | None, message: str) -> ZoomTerminal:
    """The refusal as the most precise class that holds for every endpoint."""
    if status == 404 or code == MEETING_NOT_FOUND:
        return ZoomNotFound(status, code, message)
    if code == MEETING_ENDED:
        return ZoomMeetingEnded(status, code, message)
    return ZoomTerminal(status, code, message)


def participants_refusal(error: ZoomTerminal) -> ZoomTerminal:
    """A refusal of `/past_meetings/{uuid}/participants`, as precisely as it can be said."""
    if error.code in PARTICIPANTS_NOT_READY:
        return ZoomParticipantsNotReady(error.status, error.code, error.message)
    return error


def add_registrant_refusal(error: ZoomTerminal) -> ZoomTerminal:
    """A refusal of `POST /meetings/{id}/registrants`, as precisely as it can be said."""
    if error.code == REGISTRANT_REFUSED:
        return ZoomRegistrantRefused(error.status, error.code, error.message)
    return error
