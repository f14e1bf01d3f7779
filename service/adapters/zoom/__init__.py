"""Zoom REST API adapter: shared OAuth token, shared rate limiter, retries, failure classes."""

from service.adapters.zoom.client import ZoomClient
from service.adapters.zoom.errors import (
    ZoomAmbiguous,
    ZoomDeferred,
    ZoomError,
    ZoomMeetingEnded,
    ZoomNotFound,
    ZoomParticipantsNotReady,
    ZoomRegistrantRefused,
    ZoomRetryable,
    ZoomTerminal,
)
from service.adapters.zoom.past_meeting_calls import PastParticipants
from service.adapters.zoom.ports import RateLimiter, RetryPolicy, TokenSource
from service.adapters.zoom.rate_limiter import SlidingWindowLimiter
from service.adapters.zoom.registrant_calls import RegistrantAction
from service.adapters.zoom.token import TokenProvider, ZoomToken
from service.adapters.zoom.transport import DEFAULT_API_BASE_URL

__all__ = [
    "DEFAULT_API_BASE_URL",
    "PastParticipants",
    "RateLimiter",
    "RegistrantAction",
    "RetryPolicy",
    "SlidingWindowLimiter",
    "TokenProvider",
    "TokenSource",
    "ZoomAmbiguous",
    "ZoomClient",
    "ZoomDeferred",
    "ZoomError",
    "ZoomMeetingEnded",
    "ZoomNotFound",
    "ZoomParticipantsNotReady",
    "ZoomRegistrantRefused",
    "ZoomRetryable",
    "ZoomTerminal",
    "ZoomToken",
]
